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
        new($"usr_{Guid.NewGuid():N}", email, "Name", "hash", [Roles.User, Roles.Admin], DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000),
            UserAccount.NewSecurityStamp());

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
    public async Task Many_users_are_found_by_id_in_one_query_and_unknown_ids_are_left_out()
    {
        var users = Enumerable.Range(0, 150).Select(i => NewUser($"{Guid.NewGuid():N}@example.com")).ToList();
        foreach (var user in users) Assert.True(await Users.TryCreateAsync(user, CancellationToken.None));

        var found = await Users.FindManyByIdAsync([.. users.Select(u => u.Id), "usr_missing", users[0].Id], CancellationToken.None);

        Assert.Equal(users.Select(u => (u.Id, u.SecurityStamp)).Order(), found.Select(u => (u.Id, u.SecurityStamp)).Order());
        Assert.Empty(await Users.FindManyByIdAsync([], CancellationToken.None));
        Assert.Empty(await Users.FindManyByIdAsync(["usr_missing"], CancellationToken.None));
    }

    [Fact]
    public async Task Of_concurrent_registrations_of_one_email_exactly_one_succeeds()
    {
        var email = $"{Guid.NewGuid():N}@example.com";
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Users.TryCreateAsync(NewUser(i % 2 == 0 ? email : email.ToUpperInvariant()), CancellationToken.None)));
        Assert.Single(outcomes, created => created);
    }

    [Fact]
    public async Task A_change_sets_a_new_stamp_and_only_the_fields_given()
    {
        var user = NewUser($"{Guid.NewGuid():N}@example.com");
        await Users.TryCreateAsync(user, CancellationToken.None);
        Assert.True(await Users.ChangeAsync(user.Id, "stamp-2", passwordHash: null, roles: [Roles.User], CancellationToken.None));
        var changed = (await Users.FindByIdAsync(user.Id, CancellationToken.None))!;
        Assert.Equal(("stamp-2", "hash", "user"), (changed.SecurityStamp, changed.PasswordHash, string.Join(',', changed.Roles)));
        Assert.True(await Users.ChangeAsync(user.Id, "stamp-3", passwordHash: "hash-2", roles: null, CancellationToken.None));
        changed = (await Users.FindByIdAsync(user.Id, CancellationToken.None))!;
        Assert.Equal(("stamp-3", "hash-2", "user"), (changed.SecurityStamp, changed.PasswordHash, string.Join(',', changed.Roles)));
        Assert.False(await Users.ChangeAsync("usr_missing", "stamp", null, null, CancellationToken.None));
    }

    [Fact]
    public async Task Seeding_creates_missing_users_and_returns_existing_ones_as_stored()
    {
        var existing = NewUser($"{Guid.NewGuid():N}@example.com");
        await Users.TryCreateAsync(existing, CancellationToken.None);
        var fresh = Enumerable.Range(0, 2500).Select(i => NewUser($"{Guid.NewGuid():N}@example.com") with { Roles = [Roles.User] }).ToList();
        var stored = await Users.SeedAsync([existing with { SecurityStamp = "other", Roles = [Roles.User] }, .. fresh], CancellationToken.None);
        Assert.Equal(2501, stored.Count);
        var again = stored.Single(user => user.Id == existing.Id);
        Assert.Equal((existing.SecurityStamp, "user,admin"), (again.SecurityStamp, string.Join(',', again.Roles)));
        Assert.Equal(fresh[^1].SecurityStamp, (await Users.FindByIdAsync(fresh[^1].Id, CancellationToken.None))!.SecurityStamp);
        Assert.Equal(2501, (await Users.SeedAsync(fresh, CancellationToken.None)).Count + 1);
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
