-- DocMgmt: document requests per policy, one generated document per requested kind.
CREATE SCHEMA IF NOT EXISTS documents;
CREATE TABLE IF NOT EXISTS documents.requests (
    request_id      varchar(40)  PRIMARY KEY,
    policy_id       varchar(64)  NOT NULL,
    status          varchar(16)  NOT NULL,
    source_event_id varchar(128),
    created_at      timestamptz  NOT NULL DEFAULT now(),
    updated_at      timestamptz  NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX IF NOT EXISTS requests_by_source_event ON documents.requests (source_event_id);
-- One live request per policy: the saga's request and the PolicyCreated consumer's meet in the same one
CREATE UNIQUE INDEX IF NOT EXISTS requests_live_per_policy ON documents.requests (policy_id) WHERE status <> 'CANCELLED';
CREATE TABLE IF NOT EXISTS documents.documents (
    document_id  varchar(40)  PRIMARY KEY,
    request_id   varchar(40)  NOT NULL REFERENCES documents.requests (request_id),
    policy_id    varchar(64)  NOT NULL,
    kind         varchar(64)  NOT NULL,
    status       varchar(16)  NOT NULL,
    url          varchar(200) NOT NULL,
    seq          bigserial,
    created_at   timestamptz  NOT NULL DEFAULT now(),
    updated_at   timestamptz  NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS documents_by_policy ON documents.documents (policy_id);
CREATE INDEX IF NOT EXISTS documents_by_request ON documents.documents (request_id);
