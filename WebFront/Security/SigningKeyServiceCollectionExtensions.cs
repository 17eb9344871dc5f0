using System.Security.Cryptography;
using System.Text;
using TicketFlow.Data;
using TicketFlow.Domain.Security;
using TicketFlow.WebFront.Cluster;

namespace TicketFlow.WebFront.Security;

public static class SigningKeyServiceCollectionExtensions
{
    public const string Setting = "TICKETFLOW_SIGNING_KEY";

    /// <summary>
    /// The HMAC key for ticket codes: <c>TICKETFLOW_SIGNING_KEY</c> (base64, at least 32 bytes) if set; embedded, else a
    /// <c>signing.key</c> file beside the SQLite database; in a cluster it must be set, since every process must agree on it.
    /// </summary>
    public static IServiceCollection AddSigningKey(this IServiceCollection services, IConfiguration configuration)
    {
        var configured = configuration[Setting];
        if (!string.IsNullOrWhiteSpace(configured)) return services.AddSingleton(Parse(configured));
        if (GrainAccess.IsClusterMode(configuration))
            throw new InvalidOperationException(
                $"{Setting} is not set. In cluster mode every WebFront and silo must share one signing key: set {Setting} to at least 32 random bytes in base64 (e.g. `openssl rand -base64 32`).");
        var path = Path.Combine(Path.GetDirectoryName(GrainAccess.SqlitePath(configuration))!, "signing.key");
        return services.AddSingleton(_ => LoadOrCreate(path));
    }

    /// <summary>The key in <paramref name="path"/>, created with random bytes on first use (embedded mode keeps it beside its
    /// data), readable by its owner only.</summary>
    public static SigningKey LoadOrCreate(string path)
    {
        PrivateFiles.TryCreate(path, Encoding.ASCII.GetBytes(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))));
        return SigningKey.FromBase64(File.ReadAllText(path).Trim());
    }

    private static SigningKey Parse(string value)
    {
        try
        {
            return SigningKey.FromBase64(value.Trim());
        }
        catch (Exception error) when (error is FormatException or ArgumentException)
        {
            throw new InvalidOperationException($"{Setting} must be at least 32 bytes in base64 (e.g. `openssl rand -base64 32`): {error.Message}", error);
        }
    }
}
