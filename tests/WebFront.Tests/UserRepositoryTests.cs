using Microsoft.Data.Sqlite;
using TicketFlow.Data;
using TicketFlow.Testing;
using TicketFlow.WebFront.Accounts;

namespace TicketFlow.WebFront.Tests;

/// <summary>One contract for both user stores: PostgreSQL (cluster mode) and SQLite (embedded mode).</summary>
public abstract class UserRepositoryTests : IAsyncLifetime
{
    protected IUserRepository Users { get; private set; } = null!;

    protected abstract Task<IUserRepository> CreateAsync();

    public async Task InitializeAsync()
    {
        Users = await CreateAsync();
        await Users.InitializeAsync(CancellationToken.None);
        await Users.InitializeAsync(CancellationToken.None);
    }

    public virtual Task DisposeAsync() => Task.CompletedTask;

    private static UserAccount NewUser(string email) =>
        new($"usr_{Guid.NewGuid():N}", email, "Name", "hash", [Roles.User, Roles.Admin], DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000));

    [Fact]
    public async Task A_created_user_is_found_by_id_and_by_email_in_any_case()
    {
        var email = $"{Guid.NewGuid():N}@Example.com";
        var user = NewUser(email);
        Assert.True(await Users.TryCreateAsync(user, CancellationToken.None));
        var byId = await Users.FindByIdAsync(user.Id, CancellationToken.None);
        Assert.Equal(user.Email, byId!.Email);
        Assert.Equal(user.Roles, byId.Roles);
        Assert.Equal(user.CreatedAt, byId.CreatedAt);
        Assert.Equal(user.Id, (await Users.FindByEmailAsync(email.ToUpperInvariant(), CancellationToken.None))!.Id);
        Assert.Null(await Users.FindByIdAsync("usr_missing", CancellationToken.None));
    }

    [Fact]
    public async Task Of_concurrent_registrations_of_one_email_exactly_one_succeeds()
    {
        var email = $"{Guid.NewGuid():N}@example.com";
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Users.TryCreateAsync(NewUser(i % 2 == 0 ? email : email.ToUpperInvariant()), CancellationToken.None)));
        Assert.Single(outcomes, created => created);
    }
}

public sealed class PostgresUserRepositoryTests : UserRepositoryTests
{
    protected override async Task<IUserRepository> CreateAsync() => new SqlUserRepository(SqlStoreDatabase.PostgreSql(await TestDatabase.DataSourceAsync()));
}

public sealed class SqliteUserRepositoryTests : UserRepositoryTests
{
    private readonly string folder = Directory.CreateTempSubdirectory("tf-users-").FullName;

    protected override Task<IUserRepository> CreateAsync() =>
        Task.FromResult<IUserRepository>(new SqlUserRepository(SqlStoreDatabase.Sqlite(new SqliteDatabase(Path.Combine(folder, "users.db")))));

    public override Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(folder, recursive: true);
        return Task.CompletedTask;
    }
}
