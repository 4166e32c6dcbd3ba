package voipgateway.storage;

import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.bson.Document;
import io.netty.channel.Channel;
import voipgateway.storage.embedded.EmbeddedDatabase;
import voipgateway.storage.embedded.StoreFormat;

/**
 * The embedded server's H2 backend, committing every command's changes to its file before it is answered. H2's
 * store otherwise writes them about once a second: a write the server had acknowledged was lost when the process
 * was killed (found by the fault runs: a status callback answered 200 and gone after a kill -9 of the server). A
 * lost dial claim would be a call placed twice; committed, a write survives the process (not a power cut: the
 * file is not forced to the disk at each commit).
 *
 * <p>Commits are grouped: while one runs, the writes that finish meanwhile wait for the next one, which covers
 * them all (one commit per write halved the writes a second; measured in issue 12's note).
 *
 * <p>Documents and unique indexes are kept in BSON ({@link EmbeddedDatabase}); a file of an earlier release is
 * converted once when opened ({@link StoreFormat}).
 */
public class DurableH2Backend extends H2Backend {

    private final Object commits = new Object();
    /** Writes that asked for a commit, and the last of them a finished commit covers. */
    private long asked;
    private long covered;
    private boolean committing;

    public DurableH2Backend(String file) {
        super(StoreFormat.open(file));
    }

    @Override
    protected MongoDatabase openOrCreateDatabase(String databaseName) {
        return new EmbeddedDatabase(databaseName, getMvStore(), getCursorRegistry());
    }

    @Override
    public Document handleCommand(Channel channel, String databaseName, String command, Document query) {
        Document answer = super.handleCommand(channel, databaseName, command, query);
        if (getMvStore().hasUnsavedChanges()) {
            awaitCommit();
        }
        return answer;
    }

    private void awaitCommit() {
        long mine;
        long upTo;
        synchronized (commits) {
            mine = ++asked;
            while (covered < mine && committing) {
                try {
                    commits.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            if (covered >= mine) {
                return;
            }
            committing = true;
            upTo = asked;
        }
        try {
            commit();
        } finally {
            synchronized (commits) {
                covered = Math.max(covered, upTo);
                committing = false;
                commits.notifyAll();
            }
        }
    }
}
