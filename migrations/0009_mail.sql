-- Mail, notices and reminders (issue 11): the platform reaches people who are not logged in.
--
-- Every mail is a row in `outbox`, written in the same transaction as the event that
-- causes it; a background worker in the server sends due rows and marks them. The same
-- events leave a notice in the recipient's inbox in Korps. Neither ever holds citizen
-- data: a notice keeps its kind, a link and harmless parameters (a course reference, a
-- municipality's name, a round's title); a mail holds counts, the recipient's own name
-- and a link.

-- The background worker's transactions set app.job: it sends mail and plans reminders
-- across municipalities, but never reads citizen data through this flag.
CREATE FUNCTION app_is_job() RETURNS boolean LANGUAGE sql STABLE AS
$$ SELECT coalesce(current_setting('app.job', true), '') = 'on' $$;

-- The kinds of notice (each may also arrive as a mail, unless the user turned it off).
CREATE FUNCTION notice_kinds() RETURNS text[] LANGUAGE sql IMMUTABLE AS
$$ SELECT ARRAY['course_assigned', 'application_decided', 'loan_forwarded', 'loan_agreed',
                'loan_declined', 'loan_ended', 'round_opened', 'round_deadline'] $$;

-- A user's choices: the digest of due and overdue items (daily, weekly on Monday
-- morning, or off) and the kinds of notice they do not want by mail.
ALTER TABLE users
    ADD COLUMN digest text NOT NULL DEFAULT 'weekly' CHECK (digest IN ('daily', 'weekly', 'off')),
    ADD COLUMN mail_off text[] NOT NULL DEFAULT '{}' CHECK (mail_off <@ notice_kinds());

CREATE TABLE notices (
    id uuid PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES users (id),
    kind text NOT NULL CHECK (kind = ANY (notice_kinds())),
    -- Where the notice leads, inside Korps (a path, never with citizen data).
    href text NOT NULL CHECK (href LIKE '/%' AND href NOT LIKE '//%' AND href !~ '[[:space:]\\]'),
    -- Harmless parameters for the text: a course reference, a municipality, a round.
    params jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now(),
    read_at timestamptz
);
CREATE INDEX notices_user_idx ON notices (user_id, created_at DESC);
CREATE INDEX notices_unread_idx ON notices (user_id) WHERE read_at IS NULL;

ALTER TABLE notices ENABLE ROW LEVEL SECURITY;
ALTER TABLE notices FORCE ROW LEVEL SECURITY;
-- A user reads and marks only their own notices; any signed-in action (or the worker)
-- may leave one for someone else.
CREATE POLICY notices_own ON notices FOR SELECT USING (user_id = app_user_id());
CREATE POLICY notices_mark ON notices FOR UPDATE
    USING (user_id = app_user_id()) WITH CHECK (user_id = app_user_id());
CREATE POLICY notices_leave ON notices FOR INSERT
    WITH CHECK (app_user_id() IS NOT NULL OR app_is_job());
-- Marking read is the only change a user makes to a notice.
GRANT SELECT, INSERT ON notices TO korps_app;
GRANT UPDATE (read_at) ON notices TO korps_app;

CREATE TABLE outbox (
    id uuid PRIMARY KEY,
    created_at timestamptz NOT NULL DEFAULT now(),
    -- 'digest', a notice kind, or (later) account mails.
    kind text NOT NULL CHECK (kind = 'digest' OR kind = ANY (notice_kinds())),
    user_id uuid REFERENCES users (id),
    to_address text NOT NULL CHECK (to_address LIKE '%_@_%' AND length(to_address) <= 254),
    to_name text NOT NULL DEFAULT '',
    subject text NOT NULL CHECK (length(subject) BETWEEN 1 AND 200),
    body text NOT NULL,
    attempts integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    sent_at timestamptz,
    failed_at timestamptz,
    -- The transport's last answer (no mail content).
    last_error text NOT NULL DEFAULT ''
);
CREATE INDEX outbox_due_idx ON outbox (next_attempt_at) WHERE sent_at IS NULL AND failed_at IS NULL;
CREATE INDEX outbox_failed_idx ON outbox (failed_at DESC) WHERE failed_at IS NOT NULL;

ALTER TABLE outbox ENABLE ROW LEVEL SECURITY;
ALTER TABLE outbox FORCE ROW LEVEL SECURITY;
-- Anyone's transaction may queue a mail; only the worker sends them, and national staff
-- see and resend the ones that failed.
CREATE POLICY outbox_queue ON outbox FOR INSERT WITH CHECK (app_user_id() IS NOT NULL OR app_is_job());
CREATE POLICY outbox_job ON outbox USING (app_is_job()) WITH CHECK (app_is_job());
CREATE POLICY outbox_national ON outbox USING (app_is_national()) WITH CHECK (app_is_national());
GRANT SELECT, INSERT, UPDATE ON outbox TO korps_app;

-- Reminders already planned, by key ('digest:<user>:<municipality>:<period>',
-- 'round_opened:<round>', 'round_deadline:<round>'): the first transaction to insert a key
-- plans the mails; every later one (another instance, a later tick) finds it and skips.
CREATE TABLE mail_runs (
    key text PRIMARY KEY,
    at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE mail_runs ENABLE ROW LEVEL SECURITY;
ALTER TABLE mail_runs FORCE ROW LEVEL SECURITY;
CREATE POLICY mail_runs_plan ON mail_runs
    USING (app_user_id() IS NOT NULL OR app_is_job())
    WITH CHECK (app_user_id() IS NOT NULL OR app_is_job());
GRANT SELECT, INSERT ON mail_runs TO korps_app;

-- Whom to tell: the active staff of a municipality with a role (every municipality when
-- p_municipality is NULL; national staff with p_role 'national'). Staff data only: for the
-- worker and national staff; a municipality learns only its own staff and that of the
-- municipalities it has loans with.
CREATE FUNCTION staff_to_notify(p_municipality uuid, p_role text)
RETURNS TABLE (user_id uuid, municipality_id uuid, email text, name text, locale text, mail_off text[])
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT u.id, m.municipality_id, u.email, u.name, u.locale, u.mail_off
    FROM memberships m JOIN users u ON u.id = m.user_id AND u.active
    WHERE p_role = ANY (m.roles)
      AND (p_municipality IS NULL OR m.municipality_id = p_municipality)
      AND (app_is_job() OR app_is_national()
           -- A municipality asks only about itself and the other side of its loans.
           OR (p_municipality IS NOT NULL AND app_user_id() IS NOT NULL
               AND (p_municipality = app_municipality_id()
                    OR EXISTS (SELECT 1 FROM loans l
                               WHERE (l.municipality_id = app_municipality_id()
                                      AND l.lending_municipality_id = p_municipality)
                                  OR (l.lending_municipality_id = app_municipality_id()
                                      AND l.municipality_id = p_municipality)))))
$$;
REVOKE ALL ON FUNCTION staff_to_notify(uuid, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION staff_to_notify(uuid, text) TO korps_app;

-- The account of a corps member (a course assigned to them, also as a lent member whose
-- profile the receiving municipality cannot read). Staff data only.
CREATE FUNCTION member_to_notify(p_member uuid)
RETURNS TABLE (user_id uuid, email text, name text, locale text, mail_off text[])
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT u.id, u.email, u.name, u.locale, u.mail_off
    FROM corps_members cm JOIN users u ON u.id = cm.user_id AND u.active
    WHERE cm.id = p_member
      AND (app_is_job()
           OR (app_user_id() IS NOT NULL
               AND (cm.municipality_id = app_municipality_id()
                    -- A member lent to the asking municipality.
                    OR EXISTS (SELECT 1 FROM loans l WHERE l.member_id = cm.id
                               AND l.municipality_id = app_municipality_id()))))
$$;
REVOKE ALL ON FUNCTION member_to_notify(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION member_to_notify(uuid) TO korps_app;

-- Who gets a digest: coordinators and corps members of each municipality, with their
-- choice. Only the worker asks.
CREATE FUNCTION digest_recipients()
RETURNS TABLE (user_id uuid, municipality_id uuid, email text, name text, locale text,
               digest text, roles text[])
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT u.id, m.municipality_id, u.email, u.name, u.locale, u.digest, m.roles
    FROM memberships m JOIN users u ON u.id = m.user_id AND u.active
    WHERE app_is_job() AND u.digest <> 'off' AND m.municipality_id IS NOT NULL
      AND m.roles && ARRAY['coordinator', 'mentor', 'parent_coach']
    ORDER BY u.id, m.municipality_id
$$;
REVOKE ALL ON FUNCTION digest_recipients() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION digest_recipients() TO korps_app;

-- Municipalities that have not submitted an application to an open round: they get the
-- deadline reminder. Only the worker asks.
CREATE FUNCTION round_unsubmitted_municipalities(p_round uuid)
RETURNS TABLE (municipality_id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT mu.id FROM municipalities mu
    WHERE app_is_job()
      AND NOT EXISTS (SELECT 1 FROM applications a
                      WHERE a.round_id = p_round AND a.municipality_id = mu.id
                        AND a.state NOT IN ('draft', 'awaiting_partners'))
$$;
REVOKE ALL ON FUNCTION round_unsubmitted_municipalities(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION round_unsubmitted_municipalities(uuid) TO korps_app;

-- The worker reads rounds that are open (to remind of their deadline).
CREATE POLICY application_rounds_job ON application_rounds FOR SELECT
    USING (app_is_job() AND state = 'open');
