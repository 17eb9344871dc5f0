using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using TicketFlow.Data;

namespace TicketFlow.WebFront.Security;

public static class KeyRingServiceCollectionExtensions
{
    /// <summary>Every process that protects or unprotects TicketFlow's cookies and tokens uses this application name.</summary>
    public const string ApplicationName = "TicketFlow";

    /// <summary>
    /// Data Protection (cookies, bearer tokens) with one key ring for every WebFront: application name
    /// <see cref="ApplicationName"/>, keys in <see cref="SqlXmlKeyRepository"/> over the <see cref="SqlStoreDatabase"/>
    /// registered in the container (PostgreSQL in cluster mode, the SQLite file embedded), and a start-up step that
    /// creates the first key under a database lock before the host serves, so WebFronts starting together agree on it.
    /// Keys are stored unencrypted at rest (see <see cref="SqlXmlKeyRepository"/>).
    /// </summary>
    public static IDataProtectionBuilder AddTicketFlowDataProtection(this IServiceCollection services)
    {
        var builder = services.AddSharedKeyRing();
        // First of all hosted services, whatever the call order: Data Protection's own start-up preload (registered by
        // AddAuthentication) would otherwise find an empty ring first and create a key without the lock.
        services.Insert(0, ServiceDescriptor.Singleton<IHostedService, KeyRingInitializer>());
        return builder;
    }

    /// <summary>The key ring and application name alone, for processes that only use keys WebFront created (<see cref="BearerTokenMinter"/>).</summary>
    internal static IDataProtectionBuilder AddSharedKeyRing(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new SqlXmlKeyRepository(sp.GetRequiredService<SqlStoreDatabase>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(sp =>
            new ConfigureOptions<KeyManagementOptions>(options => options.XmlRepository = sp.GetRequiredService<SqlXmlKeyRepository>()));
        return services.AddDataProtection().SetApplicationName(ApplicationName);
    }
}
