-- Single sign-on (issue 16): the subject a person has at an OpenID provider, bound at
-- their first sign-in through it. From then on they are found by it, so an email the
-- provider later gives to someone else cannot open their account.
CREATE TABLE user_identities (
    issuer     text NOT NULL,
    subject    text NOT NULL,
    user_id    bigint NOT NULL REFERENCES users (id),
    email      text NOT NULL, -- as the provider said it at binding, for administrators
    bound_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (issuer, subject),
    UNIQUE (user_id, issuer)
);
