package voipgateway.bench;

import de.bwaldvogel.mongo.MongoServer;
import voipgateway.storage.DurableH2Backend;

/**
 * A MongoDB wire-protocol server as a process of its own ({@code MongoProcess <port> <h2 file>}), so a fault run can
 * kill it as an operating system kills mongod and start it again on the same port with the data it had.
 */
public final class MongoProcess {

    private MongoProcess() {
    }

    public static void main(String[] args) throws InterruptedException {
        MongoServer server = new MongoServer(new DurableH2Backend(args[1]));
        server.bind("127.0.0.1", Integer.parseInt(args[0]));
        System.out.println("mongo wire server ready on " + args[0]);
        Thread.currentThread().join();
    }
}
