using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;
using TicketFlow.Data;

namespace TicketFlow.WebFront.Security;

/// <summary>
/// ASP.NET Core Data Protection's key ring in the TicketFlow store (<c>tf_dataprotection_keys</c>, PostgreSQL in cluster
/// mode, the SQLite file embedded), so every WebFront reads and writes one ring and a cookie or bearer token issued by
/// one is accepted by all. The same SQL runs on both engines.
/// </summary>
/// <remarks>
/// The key XML is stored as Data Protection hands it over: no XML encryptor is configured, so the keys' secret material
/// is in the table unencrypted at rest (like Entity Framework Core's <c>PersistKeysToDbContext</c>). Whoever can read the
/// table can forge sessions and tokens: protect the database and its backups accordingly.
/// <see cref="Microsoft.AspNetCore.DataProtection.Repositories.IXmlRepository"/> is synchronous, so this class uses the
/// synchronous ADO.NET calls; Data Protection reads the ring at start and then about once a day.
/// </remarks>
public sealed class SqlXmlKeyRepository(SqlStoreDatabase database, TimeProvider time) : IXmlRepository
{
    public const string Component = "dataprotection";

    internal static readonly Migration[] Migrations =
    [
        new(1, """
            CREATE TABLE tf_dataprotection_keys (
                name          TEXT   PRIMARY KEY,
                xml           TEXT   NOT NULL,
                created_at_ms BIGINT NOT NULL)
            """),
    ];

    private const string SelectAll = "SELECT xml FROM tf_dataprotection_keys ORDER BY created_at_ms, name";

    private const string Insert = """
        INSERT INTO tf_dataprotection_keys (name, xml, created_at_ms) VALUES (@name, @xml, @created)
        ON CONFLICT (name) DO NOTHING
        """;

    public SqlXmlKeyRepository(SqlStoreDatabase database) : this(database, TimeProvider.System)
    {
    }

    /// <summary>Creates the table if needed.</summary>
    public Task InitializeAsync(CancellationToken cancellationToken) => database.MigrateAsync(Component, Migrations, cancellationToken);

    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var connection = database.Open();
        using var command = DbCommands.Create(connection, null, SelectAll);
        using var reader = command.ExecuteReader();
        var elements = new List<XElement>();
        while (reader.Read()) elements.Add(XElement.Parse(reader.GetString(0)));
        return elements;
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        var xml = element.ToString(SaveOptions.DisableFormatting);
        var created = time.GetUtcNow().ToUnixTimeMilliseconds();
        using var connection = database.Open();
        var name = string.IsNullOrWhiteSpace(friendlyName) ? $"element-{Guid.NewGuid():N}" : friendlyName;
        if (Store(connection, name, xml, created)) return;
        // Names are only labels (a key is named by its id, but a key revoked twice gets two revocations of one name): keep both.
        if (!Store(connection, $"{name}-{Guid.NewGuid():N}", xml, created))
            throw new InvalidOperationException($"Could not store the Data Protection element {name}.");
    }

    private static bool Store(System.Data.Common.DbConnection connection, string name, string xml, long created)
    {
        using var command = DbCommands.Create(connection, null, Insert, ("@name", name), ("@xml", xml), ("@created", created));
        return command.ExecuteNonQuery() == 1;
    }
}
