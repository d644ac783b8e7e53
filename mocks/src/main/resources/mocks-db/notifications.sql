-- Notifications: a mail catcher. Every message "sent" is kept here, to be read back by the tests and by people.
CREATE SCHEMA IF NOT EXISTS notifications;
CREATE TABLE IF NOT EXISTS notifications.messages (
    message_id      varchar(40)  PRIMARY KEY,
    channel         varchar(16)  NOT NULL,
    recipient       varchar(320) NOT NULL,
    template        varchar(100) NOT NULL,
    subject         text,
    body            text,
    reference       varchar(128),
    source_event_id varchar(128),
    seq             bigserial,
    sent_at         timestamptz  NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX IF NOT EXISTS messages_by_source_event ON notifications.messages (source_event_id);
CREATE INDEX IF NOT EXISTS messages_by_recipient ON notifications.messages (recipient);
CREATE INDEX IF NOT EXISTS messages_by_reference ON notifications.messages (reference);
-- The X-Correlation-Id of the request that sent the message (tests follow one id from the portal to the email)
ALTER TABLE notifications.messages ADD COLUMN IF NOT EXISTS correlation_id varchar(64);
