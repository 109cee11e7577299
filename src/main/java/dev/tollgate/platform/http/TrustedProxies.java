package dev.tollgate.platform.http;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.netty.util.NetUtil;

/**
 * The reverse proxies whose {@code X-Forwarded-For} is believed, and the client IP of a request
 * seen through them.
 *
 * <p>A proxy that forwards a request appends the address it was called from to
 * {@code X-Forwarded-For}; whatever the client sent stays on the left. So the header is read from
 * the right: the last entry was written by the TCP peer, the one before it by that entry's host if
 * that host is a trusted proxy too, and so on. The client is the first address, from the right,
 * that is not a trusted proxy. Entries to its left were written by the client (or by proxies of
 * its choice) and are never read. The header counts only when the TCP peer is itself a trusted
 * proxy; otherwise the peer is the client.
 *
 * <p>Addresses are literal IPv4 or IPv6 addresses (never resolved: no DNS lookup), optionally
 * with a port ({@code 203.0.113.9:4711}, {@code [2001:db8::1]:443}); IPv4-mapped IPv6 addresses
 * count as their IPv4 address. An entry that is not an address ({@code unknown}, an obfuscated
 * name) ends the walk: the client is the trusted proxy that wrote it, the nearest hop known.
 */
public final class TrustedProxies {

    /** Entries of X-Forwarded-For read at most, from the right: no chain of real proxies is longer. */
    static final int MAX_HOPS = 32;

    private static final TrustedProxies NONE = new TrustedProxies(List.of());

    private final List<Range> ranges;

    private TrustedProxies(List<Range> ranges) {
        this.ranges = List.copyOf(ranges);
    }

    public static TrustedProxies none() {
        return NONE;
    }

    /**
     * The proxies given as IP addresses or CIDR ranges ({@code 127.0.0.1}, {@code ::1},
     * {@code 10.0.0.0/8}, {@code fd00::/8}); blank entries are skipped.
     *
     * @throws IllegalArgumentException naming the first entry that is neither
     */
    public static TrustedProxies of(List<String> entries) {
        List<Range> ranges = new ArrayList<>();
        for (String entry : entries) {
            String trimmed = entry == null ? "" : entry.trim();
            if (!trimmed.isEmpty()) {
                ranges.add(Range.parse(trimmed));
            }
        }
        return ranges.isEmpty() ? NONE : new TrustedProxies(ranges);
    }

    public boolean isEmpty() {
        return ranges.isEmpty();
    }

    /** Whether the address (literal IP, see the class) is one of the trusted proxies. */
    public boolean trusts(String address) {
        byte[] bytes = parseAddress(address);
        return bytes != null && trusts(bytes);
    }

    private boolean trusts(byte[] address) {
        for (Range range : ranges) {
            if (range.contains(address)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The client IP of a request from {@code peer} (the TCP peer's address) that carried the given
     * {@code X-Forwarded-For} header lines, in the order received: the rightmost address that is
     * not a trusted proxy, or the peer itself when the peer is not one. In canonical form
     * ({@code 2001:db8::1}, IPv4 for IPv4-mapped addresses); a peer that is no IP address (a Unix
     * socket) is answered as given.
     */
    public String clientIp(String peer, List<String> forwardedFor) {
        byte[] peerAddress = parseAddress(peer);
        if (peerAddress == null) {
            return peer;
        }
        String client = format(peerAddress);
        if (forwardedFor == null || forwardedFor.isEmpty() || !trusts(peerAddress)) {
            return client;
        }
        List<String> hops = entries(forwardedFor);
        int last = Math.max(0, hops.size() - MAX_HOPS);
        for (int i = hops.size() - 1; i >= last; i--) {
            byte[] hop = parseAddress(hops.get(i));
            if (hop == null) {
                return client;
            }
            client = format(hop);
            if (!trusts(hop)) {
                return client;
            }
        }
        // Every entry read is a trusted proxy (a call from inside the network): the farthest of them.
        return client;
    }

    /** The entries of the header lines, left to right (several lines are one list, RFC 9110 5.3). */
    private static List<String> entries(List<String> lines) {
        List<String> entries = new ArrayList<>();
        for (String line : lines) {
            if (line == null) {
                continue;
            }
            for (String entry : line.split(",", -1)) {
                String trimmed = entry.trim();
                if (!trimmed.isEmpty()) {
                    entries.add(trimmed);
                }
            }
        }
        return entries;
    }

    /**
     * The bytes of a literal IP address, with an optional port or IPv6 zone; {@code null} for
     * anything else. IPv4-mapped IPv6 addresses come back as 4 bytes.
     */
    static byte[] parseAddress(String text) {
        if (text == null) {
            return null;
        }
        String host = text.trim();
        if (host.startsWith("[")) {
            int close = host.indexOf(']');
            if (close < 0) {
                return null;
            }
            String rest = host.substring(close + 1);
            if (!rest.isEmpty() && !rest.matches(":[0-9]{1,5}")) {
                return null;
            }
            host = host.substring(1, close);
        } else if (host.indexOf(':') >= 0 && host.indexOf(':') == host.lastIndexOf(':')) {
            // IPv4 with a port: an IPv6 address has two colons at least.
            host = host.substring(0, host.indexOf(':'));
        }
        int zone = host.indexOf('%');
        if (zone >= 0) {
            host = host.substring(0, zone);
        }
        if (host.isEmpty()) {
            return null;
        }
        byte[] bytes = NetUtil.createByteArrayFromIpAddressString(host);
        if (bytes == null) {
            return null;
        }
        return bytes.length == 16 && isIpv4Mapped(bytes) ? Arrays.copyOfRange(bytes, 12, 16) : bytes;
    }

    private static boolean isIpv4Mapped(byte[] bytes) {
        for (int i = 0; i < 10; i++) {
            if (bytes[i] != 0) {
                return false;
            }
        }
        return bytes[10] == (byte) 0xff && bytes[11] == (byte) 0xff;
    }

    static String format(byte[] address) {
        return NetUtil.bytesToIpAddress(address);
    }

    /** An address and the number of leading bits that must match it. */
    private record Range(byte[] network, int prefixLength) {

        static Range parse(String entry) {
            int slash = entry.indexOf('/');
            String address = slash < 0 ? entry : entry.substring(0, slash);
            if (address.startsWith("[") && address.endsWith("]")) {
                address = address.substring(1, address.length() - 1);
            }
            // A bare address: no port, no zone, no host name (NetUtil never resolves one).
            boolean ipv4WithPort = address.indexOf(':') >= 0 && address.indexOf(':') == address.lastIndexOf(':');
            byte[] network = address.contains("[") || address.contains("]") || address.contains("%") || ipv4WithPort
                    ? null : NetUtil.createByteArrayFromIpAddressString(address);
            if (network == null) {
                throw invalid(entry);
            }
            int bits = network.length * 8;
            int prefix = bits;
            if (slash >= 0) {
                String length = entry.substring(slash + 1);
                if (!length.matches("[0-9]{1,3}") || Integer.parseInt(length) > bits) {
                    throw invalid(entry);
                }
                prefix = Integer.parseInt(length);
            }
            if (network.length == 16 && isIpv4Mapped(network) && prefix >= 96) {
                return new Range(Arrays.copyOfRange(network, 12, 16), prefix - 96);
            }
            return new Range(network, prefix);
        }

        private static IllegalArgumentException invalid(String entry) {
            return new IllegalArgumentException("'" + entry + "' is not an IP address or a CIDR range");
        }

        boolean contains(byte[] address) {
            if (address.length != network.length) {
                return false;
            }
            int whole = prefixLength / 8;
            for (int i = 0; i < whole; i++) {
                if (address[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefixLength % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xff << (8 - rest)) & 0xff;
            return (address[whole] & mask) == (network[whole] & mask);
        }
    }
}
