package dev.tollgate.webhook;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * Which URLs webhooks may be sent to. An endpoint's URL is absolute https (http only where
 * {@code tollgate.webhooks.allow-http}), has a host and no user info. Unless
 * {@code tollgate.webhooks.allow-private-addresses}, every address its host resolves to must be a
 * public unicast one: not loopback, unspecified, link-local (169.254/16 with the cloud metadata
 * address, fe80::/10), private (10/8, 172.16/12, 192.168/16, fc00::/7, fec0::/10), CGNAT
 * (100.64/10), 0/8, broadcast or multicast. The addresses are checked when the endpoint is saved and
 * again before each delivery, so that a host that later resolves inward is not reached.
 */
final class WebhookUrlPolicy {

    static final int MAX_LENGTH = 2048;

    /** Resolves a host name; the JDK's resolver in the application, a fixed table in unit tests. */
    interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    private final boolean allowHttp;
    private final boolean allowPrivateAddresses;
    private final Resolver resolver;

    WebhookUrlPolicy(boolean allowHttp, boolean allowPrivateAddresses, Resolver resolver) {
        this.allowHttp = allowHttp;
        this.allowPrivateAddresses = allowPrivateAddresses;
        this.resolver = resolver;
    }

    static WebhookUrlPolicy of(WebhooksConfig config) {
        return new WebhookUrlPolicy(config.allowHttp(), config.allowPrivateAddresses(), InetAddress::getAllByName);
    }

    /** The URL, if an endpoint may have it; a 422 {@code webhook-url-not-allowed} otherwise. */
    URI check(String url) {
        if (url == null || url.isBlank()) {
            throw WebhookProblem.urlNotAllowed("a URL is required");
        }
        if (url.length() > MAX_LENGTH) {
            throw WebhookProblem.urlNotAllowed("the URL is longer than " + MAX_LENGTH + " characters");
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw WebhookProblem.urlNotAllowed("the URL is malformed");
        }
        if (!uri.isAbsolute() || uri.isOpaque()) {
            throw WebhookProblem.urlNotAllowed("the URL is not absolute");
        }
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !(allowHttp && scheme.equals("http"))) {
            throw WebhookProblem.urlNotAllowed(allowHttp ? "the URL is not http or https" : "the URL is not https");
        }
        if (uri.getRawUserInfo() != null) {
            throw WebhookProblem.urlNotAllowed("the URL has user info");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw WebhookProblem.urlNotAllowed("the URL has no host");
        }
        if (uri.getRawFragment() != null) {
            throw WebhookProblem.urlNotAllowed("the URL has a fragment");
        }
        String refused = refusedAddress(uri);
        if (refused != null) {
            throw WebhookProblem.urlNotAllowed(refused);
        }
        return uri;
    }

    /** Why a delivery may not go to this URL now (its host resolves inward or not at all); null if it may. */
    String refusedAddress(URI uri) {
        if (allowPrivateAddresses) {
            return null;
        }
        String host = uri.getHost();
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        InetAddress[] addresses;
        try {
            addresses = resolver.resolve(host);
        } catch (UnknownHostException e) {
            return "the host cannot be resolved";
        }
        if (addresses.length == 0) {
            return "the host cannot be resolved";
        }
        for (InetAddress address : addresses) {
            if (!isPublic(address)) {
                return "the host resolves to a non-public address";
            }
        }
        return null;
    }

    /** Whether the address is public unicast: none of the ranges named in the class comment. */
    static boolean isPublic(InetAddress address) {
        if (address.isAnyLocalAddress() || address.isLoopbackAddress() || address.isLinkLocalAddress()
                || address.isSiteLocalAddress() || address.isMulticastAddress()) {
            return false;
        }
        byte[] b = address.getAddress();
        if (address instanceof Inet6Address) {
            if ((b[0] & 0xFE) == 0xFC) {
                return false; // fc00::/7, unique local
            }
            if (isIpv4Embedded(b)) {
                // ::ffff:a.b.c.d and ::a.b.c.d name an IPv4 address: judged as that one.
                try {
                    return isPublic(InetAddress.getByAddress(new byte[] { b[12], b[13], b[14], b[15] }));
                } catch (UnknownHostException e) {
                    return false;
                }
            }
            return true;
        }
        if (address instanceof Inet4Address) {
            int first = b[0] & 0xFF;
            int second = b[1] & 0xFF;
            if (first == 0) {
                return false; // 0/8, "this network"
            }
            if (first == 100 && (second & 0xC0) == 64) {
                return false; // 100.64/10, carrier-grade NAT
            }
            if (first == 255 && second == 255 && (b[2] & 0xFF) == 255 && (b[3] & 0xFF) == 255) {
                return false; // limited broadcast
            }
        }
        return true;
    }

    private static boolean isIpv4Embedded(byte[] b) {
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return (b[10] == (byte) 0xFF && b[11] == (byte) 0xFF) || (b[10] == 0 && b[11] == 0);
    }
}
