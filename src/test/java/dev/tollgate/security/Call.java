package dev.tollgate.security;

/** A request to send: its method, its path and its JSON body ({@code null} for none). */
record Call(String method, String path, String body) {
    @Override
    public String toString() {
        return method + " " + path;
    }
}
