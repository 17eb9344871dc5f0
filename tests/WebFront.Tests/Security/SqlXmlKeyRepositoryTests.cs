using System.Xml.Linq;
using Microsoft.Data.Sqlite;
using TicketFlow.Data;
using TicketFlow.WebFront.Security;

namespace TicketFlow.WebFront.Tests.Security;

/// <summary>The key repository contract, run against PostgreSQL and SQLite.</summary>
public abstract class SqlXmlKeyRepositoryTests : IAsyncLifetime
{
    private SqlXmlKeyRepository repository = null!;

    protected abstract Task<SqlStoreDatabase> CreateDatabaseAsync();

    public async Task InitializeAsync()
    {
        repository = new SqlXmlKeyRepository(await CreateDatabaseAsync());
        await repository.InitializeAsync(CancellationToken.None);
        await repository.InitializeAsync(CancellationToken.None); // a second start finds the table and changes nothing
    }

    public abstract Task DisposeAsync();

    [Fact]
    public void Stored_elements_come_back_as_they_were_stored()
    {
        Assert.Empty(repository.GetAllElements());
        var key = new XElement("key", new XAttribute("id", "1"), new XElement("secret", "s1 & <s2>"));
        var revocation = new XElement("revocation", new XElement("reason", "test"));
        repository.StoreElement(key, "key-1");
        repository.StoreElement(revocation, "revocation-1");

        var stored = repository.GetAllElements();
        Assert.Equal([key.ToString(), revocation.ToString()], stored.Select(e => e.ToString()).Order()); // Data Protection does not rely on the order
    }

    [Fact]
    public void An_element_whose_name_is_taken_is_kept_beside_the_first()
    {
        repository.StoreElement(new XElement("revocation", "first"), "revocation-1");
        repository.StoreElement(new XElement("revocation", "second"), "revocation-1");
        repository.StoreElement(new XElement("unnamed"), "");

        Assert.Equal(["", "first", "second"], repository.GetAllElements().Select(e => e.Value).Order());
    }
}

public sealed class PostgresXmlKeyRepositoryTests : SqlXmlKeyRepositoryTests
{
    private FreshDatabase database = null!;

    protected override async Task<SqlStoreDatabase> CreateDatabaseAsync()
    {
        database = await FreshDatabase.CreateAsync();
        return database.Store;
    }

    public override async Task DisposeAsync() => await database.DisposeAsync();
}

public sealed class SqliteXmlKeyRepositoryTests : SqlXmlKeyRepositoryTests
{
    private readonly string folder = Directory.CreateTempSubdirectory("tf-keys-").FullName;

    protected override Task<SqlStoreDatabase> CreateDatabaseAsync() =>
        Task.FromResult(SqlStoreDatabase.Sqlite(new SqliteDatabase(Path.Combine(folder, "keys.db"))));

    public override Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(folder, recursive: true);
        return Task.CompletedTask;
    }
}
