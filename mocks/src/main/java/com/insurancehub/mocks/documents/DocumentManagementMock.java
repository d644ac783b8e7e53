package com.insurancehub.mocks.documents;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import com.insurancehub.mocks.platform.MockSystem;

import static com.insurancehub.mocks.platform.Problems.blank;
import static com.insurancehub.mocks.platform.Problems.notFound;
import static com.insurancehub.mocks.platform.Problems.problem;

/**
 * DocMgmt: generates a policy's documents on request, one per kind, at once (status GENERATED). A request is
 * idempotent by its sourceEventId when it has one and per policy (one live request per policy, whoever asks),
 * and can be cancelled (a saga's compensation).
 */
@RestController
@RequestMapping("/documents")
public class DocumentManagementMock implements MockSystem {

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;

    public DocumentManagementMock(JdbcTemplate jdbc, PlatformTransactionManager transactionManager) {
        this.jdbc = jdbc;
        this.tx = new TransactionTemplate(transactionManager);
    }

    @Override
    public String base() {
        return "documents";
    }

    public record NewRequest(String policyId, List<String> kinds, String sourceEventId) {
    }

    @PostMapping("/requests")
    public ResponseEntity<Map<String, Object>> request(@RequestBody NewRequest request) {
        if (blank(request.policyId()) || request.kinds() == null || request.kinds().isEmpty()
                || request.kinds().stream().anyMatch(kind -> blank(kind))) {
            return problem(HttpStatus.BAD_REQUEST, "policyId and a non-empty list of kinds are required");
        }
        String sourceEventId = blank(request.sourceEventId()) ? null : request.sourceEventId();
        Set<String> kinds = new LinkedHashSet<>(request.kinds());
        return tx.execute(status -> {
            String requestId = "D-" + UUID.randomUUID();
            int inserted = jdbc.update("""
                    INSERT INTO documents.requests (request_id, policy_id, status, source_event_id)
                    VALUES (?, ?, 'REQUESTED', ?) ON CONFLICT DO NOTHING""",
                    requestId, request.policyId(), sourceEventId);
            if (inserted == 0) {
                String existing = jdbc.queryForObject("""
                        SELECT request_id FROM documents.requests
                        WHERE source_event_id = ? OR (policy_id = ? AND status <> 'CANCELLED')
                        ORDER BY created_at LIMIT 1""", String.class, sourceEventId, request.policyId());
                return ResponseEntity.ok(findRequest(existing).get(0));
            }
            for (String kind : kinds) {
                String documentId = "DOC-" + UUID.randomUUID();
                jdbc.update("""
                        INSERT INTO documents.documents (document_id, request_id, policy_id, kind, status, url)
                        VALUES (?, ?, ?, ?, 'GENERATED', ?)""",
                        documentId, requestId, request.policyId(), kind, "/documents/documents/" + documentId);
            }
            return ResponseEntity.status(HttpStatus.CREATED).body(findRequest(requestId).get(0));
        });
    }

    /** Cancels the request and its documents. Idempotent. */
    @PostMapping("/requests/{requestId}/cancellation")
    public ResponseEntity<Map<String, Object>> cancel(@PathVariable String requestId) {
        return tx.execute(status -> {
            int updated = jdbc.update("""
                    UPDATE documents.requests SET status = 'CANCELLED', updated_at = now()
                    WHERE request_id = ? AND status <> 'CANCELLED'""", requestId);
            if (updated == 1) {
                jdbc.update("""
                        UPDATE documents.documents SET status = 'CANCELLED', updated_at = now()
                        WHERE request_id = ? AND status <> 'CANCELLED'""", requestId);
            }
            List<Map<String, Object>> found = findRequest(requestId);
            return found.isEmpty() ? notFound("document request " + requestId) : ResponseEntity.ok(found.get(0));
        });
    }

    /** Cancels every request of a policy and their documents (a saga compensation): 200 with them, [] if none. */
    @PostMapping("/requests/cancellation")
    public List<Map<String, Object>> cancelByPolicy(@RequestParam String policyId) {
        return tx.execute(status -> {
            List<String> ids = jdbc.queryForList(
                    "SELECT request_id FROM documents.requests WHERE policy_id = ? ORDER BY created_at, request_id",
                    String.class, policyId);
            jdbc.update("""
                    UPDATE documents.requests SET status = 'CANCELLED', updated_at = now()
                    WHERE policy_id = ? AND status <> 'CANCELLED'""", policyId);
            jdbc.update("""
                    UPDATE documents.documents SET status = 'CANCELLED', updated_at = now()
                    WHERE policy_id = ? AND status <> 'CANCELLED'""", policyId);
            return ids.stream().map(id -> findRequest(id).get(0)).toList();
        });
    }

    @GetMapping("/requests/{requestId}")
    public ResponseEntity<Map<String, Object>> getRequest(@PathVariable String requestId) {
        List<Map<String, Object>> found = findRequest(requestId);
        return found.isEmpty() ? notFound("document request " + requestId) : ResponseEntity.ok(found.get(0));
    }

    @GetMapping("/documents")
    public List<Map<String, Object>> documents(@RequestParam String policyId) {
        return jdbc.query("SELECT * FROM documents.documents WHERE policy_id = ? ORDER BY seq", this::documentRow,
                policyId);
    }

    @GetMapping("/documents/{documentId}")
    public ResponseEntity<Map<String, Object>> document(@PathVariable String documentId) {
        List<Map<String, Object>> found = jdbc.query("SELECT * FROM documents.documents WHERE document_id = ?",
                this::documentRow, documentId);
        return found.isEmpty() ? notFound("document " + documentId) : ResponseEntity.ok(found.get(0));
    }

    private List<Map<String, Object>> findRequest(String requestId) {
        List<Map<String, Object>> found = jdbc.query("SELECT * FROM documents.requests WHERE request_id = ?", (rs, n) -> {
            Map<String, Object> request = new LinkedHashMap<>();
            request.put("requestId", rs.getString("request_id"));
            request.put("policyId", rs.getString("policy_id"));
            request.put("status", rs.getString("status"));
            if (rs.getString("source_event_id") != null) {
                request.put("sourceEventId", rs.getString("source_event_id"));
            }
            request.put("createdAt", rs.getTimestamp("created_at").toInstant().toString());
            return request;
        }, requestId);
        found.forEach(request -> request.put("documents", jdbc.query(
                "SELECT * FROM documents.documents WHERE request_id = ? ORDER BY seq", this::documentRow, requestId)));
        return found;
    }

    private Map<String, Object> documentRow(ResultSet rs, int n) throws SQLException {
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("documentId", rs.getString("document_id"));
        document.put("requestId", rs.getString("request_id"));
        document.put("policyId", rs.getString("policy_id"));
        document.put("kind", rs.getString("kind"));
        document.put("status", rs.getString("status"));
        document.put("url", rs.getString("url"));
        document.put("createdAt", rs.getTimestamp("created_at").toInstant().toString());
        return document;
    }
}
