package dev.tollgate.lambda;

import io.vertx.core.json.JsonObject;

/** Lambda input events of API Gateway's HTTP API (payload format 2.0), shaped as the gateway sends them. */
final class LambdaEvents {

    /** The id API Gateway puts in every event it sends (a function URL sets one too). */
    static final String API_ID = "a1b2c3d4e5";

    private LambdaEvents() {
    }

    /**
     * A request from the client at {@code sourceIp}, as the HTTP API hands it to the function;
     * {@code token} may be null.
     */
    static String fromHttpApi(String method, String path, String token, String sourceIp) {
        JsonObject headers = new JsonObject().put("accept", "application/json").put("host", API_ID + ".execute-api.eu-west-1.amazonaws.com")
                .put("x-forwarded-for", sourceIp).put("x-forwarded-proto", "https");
        if (token != null) {
            headers.put("authorization", "Bearer " + token);
        }
        return new JsonObject().put("version", "2.0").put("routeKey", "$default").put("rawPath", path)
                .put("rawQueryString", "").put("headers", headers)
                .put("requestContext", new JsonObject().put("accountId", "123456789012").put("apiId", API_ID)
                        .put("domainName", API_ID + ".execute-api.eu-west-1.amazonaws.com").put("domainPrefix", API_ID)
                        .put("requestId", "JKJaXmPLvHcESHA=").put("routeKey", "$default").put("stage", "$default")
                        .put("timeEpoch", System.currentTimeMillis())
                        .put("http", new JsonObject().put("method", method).put("path", path).put("protocol", "HTTP/1.1")
                                .put("sourceIp", sourceIp).put("userAgent", "lambda-smoke")))
                .put("isBase64Encoded", false).encode();
    }

    /** {@code event} with the gateway's marks, as if a client had sent it through the HTTP API. */
    static String asIfThroughAGateway(String event) {
        JsonObject json = new JsonObject(event);
        json.getJsonObject("requestContext").put("apiId", API_ID).put("stage", "$default");
        return json.encode();
    }
}
