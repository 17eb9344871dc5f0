using TicketFlow.Data;

namespace TicketFlow.WebFront.Accounts;

/// <summary>The users table; the same shape on PostgreSQL and SQLite.</summary>
internal static class UserSchema
{
    public const string Component = "accounts";

    public const string Columns = "id, email, name, password_hash, roles, created_at_ms";

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
    ];

    public static UserAccount Read(System.Data.Common.DbDataReader reader) => new(
        reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
        reader.GetString(4).Split(',', StringSplitOptions.RemoveEmptyEntries),
        DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5)));
}
