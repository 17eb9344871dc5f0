using System.Data.Common;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;
using TicketFlow.Data;
using TicketFlow.WebFront.Accounts;

namespace TicketFlow.WebFront.Security;

/// <summary>
/// Mints bearer tokens that every WebFront on the same store accepts, outside WebFront: for operator tools and load
/// generators that need thousands of signed-in buyers without registering and logging in each. It protects tokens
/// exactly as WebFront's login does (the shared key ring, application name <see cref="KeyRingServiceCollectionExtensions.ApplicationName"/>,
/// the bearer scheme's protector) but never creates a key: a WebFront must have started on the store first. A token is
/// for a real user row and carries its security stamp (WebFront checks it like a login's): <see cref="SeedUsersAsync"/>
/// creates such users in bulk.
/// Anyone who can read the store can do the same, which is why the key table must be protected (see <see cref="SqlXmlKeyRepository"/>).
/// </summary>
public sealed class BearerTokenMinter : IDisposable
{
    private readonly ServiceProvider services;
    private readonly ISecureDataFormat<AuthenticationTicket> protector;
    private readonly TimeProvider time;
    private readonly SqlUserRepository users;

    private BearerTokenMinter(ServiceProvider services)
    {
        this.services = services;
        protector = services.GetRequiredService<IOptionsMonitor<BearerTokenOptions>>().Get(BearerTokenDefaults.AuthenticationScheme).BearerTokenProtector;
        time = services.GetRequiredService<TimeProvider>();
        users = new SqlUserRepository(services.GetRequiredService<SqlStoreDatabase>());
    }

    /// <summary>Reads the key ring from <paramref name="database"/>; throws <see cref="InvalidOperationException"/> if it has no usable key.</summary>
    public static BearerTokenMinter Create(SqlStoreDatabase database, TimeProvider? time = null)
    {
        var collection = new ServiceCollection();
        collection.AddSingleton(database);
        collection.AddSingleton(time ?? TimeProvider.System);
        collection.AddLogging();
        collection.AddSharedKeyRing().DisableAutomaticKeyGeneration();
        collection.AddAuthentication().AddBearerToken();
        var provider = collection.BuildServiceProvider();
        try
        {
            // Fail here, not on the first token, when there is nothing to sign with.
            provider.GetRequiredService<IDataProtectionProvider>().CreateProtector("TicketFlow.BearerTokenMinter").Protect([1]);
            return new BearerTokenMinter(provider);
        }
        catch (Exception error) when (error is CryptographicException or InvalidOperationException or DbException) // Protect wraps what went wrong
        {
            provider.Dispose();
            throw new InvalidOperationException(
                "Could not read a usable Data Protection key from the store (tf_dataprotection_keys): is the database reachable, and has a WebFront " +
                "started on it (start a WebFront first: it creates the key)?", error);
        }
    }

    /// <summary>
    /// Users with these ids and <paramref name="role"/> (an admin has <c>user</c> and <c>admin</c>, like the configured
    /// admin), created unless the id exists, with a random stamp and no password (nobody can sign in as them), in
    /// multi-row inserts; returns each as stored (an existing user keeps its roles and stamp). Idempotent.
    /// </summary>
    public async Task<IReadOnlyList<UserAccount>> SeedUsersAsync(IEnumerable<string> ids, string role = Roles.User, CancellationToken cancellationToken = default)
    {
        string[] roles = role switch
        {
            Roles.User => [Roles.User],
            Roles.Admin => [Roles.User, Roles.Admin],
            _ => throw new ArgumentException($"Unknown role '{role}': use \"{Roles.User}\" or \"{Roles.Admin}\".", nameof(role)),
        };
        var now = time.GetUtcNow();
        var seeded = ids.Select(id => new UserAccount(id, $"{id}@seeded.ticketflow.invalid", id.Length <= 100 ? id : id[..100], "", roles, now,
            UserAccount.NewSecurityStamp())).ToList();
        var stored = (await users.SeedAsync(seeded, cancellationToken)).ToDictionary(user => user.Id);
        return [.. seeded.Select(user => stored[user.Id])];
    }

    /// <summary>A bearer token for <paramref name="user"/> as stored (its id, roles and security stamp, from
    /// <see cref="SeedUsersAsync"/> or the users table). Valid for <paramref name="lifetime"/>, by default as long as a login's
    /// access token.</summary>
    public string Mint(UserAccount user, TimeSpan? lifetime = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(user.Id);
        var now = time.GetUtcNow();
        var ticket = new AuthenticationTicket(AccountClaims.Principal(user.Id, user.Roles, name: null, email: null, user.SecurityStamp, "minted"),
            new AuthenticationProperties { IssuedUtc = now, ExpiresUtc = now + (lifetime ?? AccountSessionOptions.DefaultAccessTokenLifetime) },
            BearerTokenDefaults.AuthenticationScheme);
        return protector.Protect(ticket);
    }

    public void Dispose() => services.Dispose();
}
