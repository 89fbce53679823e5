-- SPEC §4.6 Q1 overload: the last state seen per user, so priorities.q1.overloaded.v1 is emitted when the count
-- goes from ≤ 10 to > 10, and again only after it has dropped back to ≤ 10.
CREATE TABLE q1_overload (
  user_id uuid PRIMARY KEY,
  overloaded boolean NOT NULL,
  count integer NOT NULL,
  changed_at timestamptz NOT NULL
);
