import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

import com.sun.net.httpserver.HttpServer;

/**
 * A webhook receiver that never answers: every request is read and then held open until the
 * sender gives up. For bench/webhook-bench.sh. Usage: java HangingReceiver.java --port-file FILE
 * (listens on a free loopback port, written to FILE; prints how many requests it held on exit).
 */
public class HangingReceiver {

    public static void main(String[] args) throws IOException {
        if (args.length != 2 || !args[0].equals("--port-file")) {
            System.err.println("usage: java HangingReceiver.java --port-file FILE");
            System.exit(2);
        }
        AtomicLong held = new AtomicLong();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            held.incrementAndGet();
            try {
                Thread.sleep(Long.MAX_VALUE);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        server.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> System.out.println("held=" + held.get())));
        Files.writeString(Path.of(args[1]), Integer.toString(server.getAddress().getPort()));
    }
}
