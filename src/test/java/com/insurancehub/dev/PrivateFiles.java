package com.insurancehub.dev;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Properties files that hold passwords: only their owner reads them (0600 from their creation), and a reader never
 * sees one half-written (written aside, then renamed over the old one).
 */
final class PrivateFiles {

    private PrivateFiles() {
    }

    /** The file's properties, empty if there is no such file. */
    static Map<String, String> read(Path file) throws IOException {
        Map<String, String> values = new TreeMap<>();
        if (!Files.exists(file)) {
            return values;
        }
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(in);
        }
        p.stringPropertyNames().forEach(key -> values.put(key, p.getProperty(key)));
        return values;
    }

    /** Replaces the file with these properties, in key order, under a comment. */
    static void write(Path file, Map<String, String> values, String comment) throws IOException {
        Files.createDirectories(file.getParent());
        Path aside = Files.createTempFile(file.getParent(), file.getFileName() + ".", ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            StringBuilder text = new StringBuilder("# ").append(comment).append('\n');
            for (Map.Entry<String, String> entry : new TreeMap<>(values).entrySet()) {
                StringWriter line = new StringWriter(); // Properties' escaping, one key at a time: in key order
                Properties p = new Properties();
                p.setProperty(entry.getKey(), entry.getValue());
                p.store(line, null);
                line.toString().lines().filter(l -> !l.startsWith("#")).forEach(l -> text.append(l).append('\n'));
            }
            Files.writeString(aside, text, StandardCharsets.UTF_8);
            Files.move(aside, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(aside);
        }
    }

    /**
     * Sets these keys in the file and keeps the others, under a lock: processes that start side by side each add
     * what they provide without losing the other's keys. Answers the file's properties after the change.
     */
    static Map<String, String> update(Path file, Map<String, String> changes, String comment) throws IOException {
        Files.createDirectories(file.getParent());
        Path lockFile = file.resolveSibling(file.getFileName() + ".lock");
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock lock = channel.lock()) {
            Map<String, String> values = new LinkedHashMap<>(read(file));
            values.putAll(changes);
            write(file, values, comment);
            return values;
        }
    }
}
