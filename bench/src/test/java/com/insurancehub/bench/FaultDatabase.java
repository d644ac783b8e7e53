package com.insurancehub.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The fault scenarios' database chores (bench/run-fault-scenarios.sh), as the database owner, so that the harness
 * needs no psql: {@code terminate-walsenders} ends every replication connection (the relays' walsenders) as an
 * operator's {@code pg_terminate_backend} would, at {@code atEpochMs} if given (the tool is started ahead, so that a
 * slow JVM start does not move the fault), waits until as many new ones stream (at most {@code timeoutSeconds}) and
 * prints a JSON line: the kill's time (epoch ms), the pids ended, how long until they streamed again.
 * Arguments: command jdbcUrl password timeoutSeconds [atEpochMs].
 */
public final class FaultDatabase {

    private FaultDatabase() {
    }

    public static void main(String[] args) throws Exception {
        try (Connection db = DriverManager.getConnection(args[1], "postgres", args[2]); Statement s = db.createStatement()) {
            switch (args[0]) {
                case "terminate-walsenders" -> {
                    // ends them, then waits until as many new ones stream: how long the relays took to reconnect
                    long timeout = Long.parseLong(args[3]) * 1000;
                    long at = args.length > 4 ? Long.parseLong(args[4]) : 0; // started ahead: a JVM's start is no delay
                    while (System.currentTimeMillis() < at) {
                        Thread.sleep(Math.min(50, Math.max(1, at - System.currentTimeMillis())));
                    }
                    List<Integer> ended = new ArrayList<>();
                    long killAt = System.currentTimeMillis();
                    try (ResultSet r = s.executeQuery("SELECT pid, pg_terminate_backend(pid) FROM pg_stat_replication")) {
                        while (r.next()) {
                            ended.add(r.getInt(1));
                        }
                    }
                    long streaming = -1;
                    while (System.currentTimeMillis() - killAt < timeout) {
                        try (ResultSet r = s.executeQuery("SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'"
                                + " AND NOT pid = ANY(ARRAY" + ended + "::int[])")) {
                            r.next();
                            if (r.getInt(1) >= ended.size()) {
                                streaming = System.currentTimeMillis() - killAt;
                                break;
                            }
                        }
                        Thread.sleep(100);
                    }
                    System.out.printf("{\"killAt\": %d, \"walsenders\": \"%s\", \"streamingAgainAfterMs\": %s}%n",
                            killAt, ended, streaming < 0 ? "null" : Long.toString(streaming));
                }
                default -> throw new IllegalArgumentException("unknown command " + args[0]);
            }
        }
    }
}
