-- Every state and kind column lists its codes, so the database refuses an unknown one just
-- as the Rust enums do (src/vocab/coded.rs); tests/http/states.rs keeps the lists equal.
-- These are the columns that had no such list yet: a course event's states and a kept
-- session version's kind.

ALTER TABLE course_events
    ADD CONSTRAINT course_events_from_state_check CHECK (from_state IN
        ('referred', 'matched', 'pre_meeting', 'active', 'ending', 'follow_up', 'closed', 'cancelled')),
    ADD CONSTRAINT course_events_to_state_check CHECK (to_state IN
        ('referred', 'matched', 'pre_meeting', 'active', 'ending', 'follow_up', 'closed', 'cancelled'));

ALTER TABLE course_session_versions
    ADD CONSTRAINT course_session_versions_kind_check CHECK (kind IN
        ('pre_meeting', 'session', 'network_meeting', 'follow_up', 'phone_online', 'professionals_meeting'));
