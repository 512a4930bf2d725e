-- The complete read log (GDPR art. 15, Datatilsynet's guidance on logging): every audit
-- entry that reads or changes a citizen's data names that citizen, so that "who has seen
-- this person's data?" is one indexed query. A list page writes one entry per citizen it
-- showed. No foreign key: an entry outlives the citizen row it names until retention
-- deletes it, and a loan partner's log names a citizen of another municipality.
ALTER TABLE audit_log ADD COLUMN citizen_id uuid;

-- Entries written so far about a citizen record name it.
ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update;
UPDATE audit_log SET citizen_id = subject_id WHERE subject_type = 'citizen';
ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update;

CREATE INDEX audit_log_citizen_idx ON audit_log (municipality_id, citizen_id, at DESC)
    WHERE citizen_id IS NOT NULL;
