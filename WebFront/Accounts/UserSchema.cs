using TicketFlow.Data;

namespace TicketFlow.WebFront.Accounts;

/// <summary>The users table and the refresh tokens of their bearer sessions; the same shape on PostgreSQL and SQLite.</summary>
internal static class UserSchema
{
    public const string Component = "accounts";

    public const string Columns = "id, email, name, password_hash, roles, created_at_ms, security_stamp";

    public static readonly Migration[] Migrations =
    [
        new(1, """
            CREATE TABLE tf_users (
                id               TEXT   PRIMARY KEY,
                email            TEXT   NOT NULL CHECK (length(email) <= 254),
                email_normalized TEXT   NOT NULL UNIQUE,
                name             TEXT   NOT NULL CHECK (length(name) <= 100),
                password_hash    TEXT   NOT NULL,
                roles            TEXT   NOT NULL,
                created_at_ms    BIGINT NOT NULL)
            """),
        // Accounts from before keep the empty stamp until their first change; sessions issued before carry none and end.
        new(2, "ALTER TABLE tf_users ADD COLUMN security_stamp TEXT NOT NULL DEFAULT ''"),
        // Only a SHA-256 of each refresh token is stored: a leaked table row cannot be presented.
        new(3, """
            CREATE TABLE tf_refresh_tokens (
                token_hash    TEXT    PRIMARY KEY,
                family_id     TEXT    NOT NULL,
                user_id       TEXT    NOT NULL,
                expires_at_ms BIGINT  NOT NULL,
                spent         INTEGER NOT NULL DEFAULT 0)
            """),
        new(4, "CREATE INDEX tf_refresh_tokens_family ON tf_refresh_tokens (family_id)"),
        new(5, "CREATE INDEX tf_refresh_tokens_user ON tf_refresh_tokens (user_id)"),
    ];

    public static string RolesText(IEnumerable<string> roles) => string.Join(',', roles);

    public static UserAccount Read(System.Data.Common.DbDataReader reader) => new(
        reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
        reader.GetString(4).Split(',', StringSplitOptions.RemoveEmptyEntries),
        DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5)), reader.GetString(6));
}
