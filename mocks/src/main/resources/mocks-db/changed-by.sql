-- Who made a change to ${schema}.${table}, recorded by the system itself (D06: the hub's audit trail reads it from the
-- captured row): the system's name when the system's own role wrote the row, otherwise the database role that did
-- (a DBA's UPDATE in psql shows as that role). A delete leaves no row to record it in: its audit entry has no author.
-- Run by SchemaInitializer after the system's own script, as one statement batch (the function body has semicolons).
ALTER TABLE ${schema}.${table} ADD COLUMN IF NOT EXISTS changed_by varchar(128);
CREATE OR REPLACE FUNCTION ${schema}.record_changed_by() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.changed_by := CASE WHEN current_user = (SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = TG_RELID)
                           THEN TG_ARGV[0] ELSE current_user::text END;
    RETURN NEW;
END
$$;
DROP TRIGGER IF EXISTS ${table}_changed_by ON ${schema}.${table};
CREATE TRIGGER ${table}_changed_by BEFORE INSERT OR UPDATE ON ${schema}.${table}
    FOR EACH ROW EXECUTE FUNCTION ${schema}.record_changed_by('${system}');
