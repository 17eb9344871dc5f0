using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Configuration;
using Orleans.Connections.Security;
using Orleans.Hosting;

namespace TicketFlow.Hosting;

/// <summary>
/// Only the cluster talks to the cluster: silo-to-silo and client-to-gateway connections are TLS with certificates on both
/// sides, and a peer is admitted only if its certificate was issued by the cluster's own certificate authority. That CA
/// signs nothing else, so holding one of its certificates is what membership means (host names are not checked: silos
/// connect by address). Cluster mode reads the files from configuration (<see cref="FromConfiguration"/>; the local
/// cluster makes them with <c>deploy/cluster-certs.sh</c>, the manifests mount them from secrets); the embedded silo makes
/// a throwaway authority at start (<see cref="Ephemeral"/>), so nothing outside the process can join it.
/// </summary>
public sealed class ClusterTls
{
    private ClusterTls(X509Certificate2 member, X509Certificate2 authority)
    {
        Member = member;
        Authority = authority;
    }

    /// <summary>This process's certificate, with its private key: it proves membership to peers.</summary>
    public X509Certificate2 Member { get; }

    /// <summary>The cluster's certificate authority: the only issuer a peer's certificate may have.</summary>
    public X509Certificate2 Authority { get; }

    public const string CertificateSetting = "TICKETFLOW_CLUSTER_CERT";
    public const string KeySetting = "TICKETFLOW_CLUSTER_KEY";
    public const string AuthoritySetting = "TICKETFLOW_CLUSTER_CA";

    /// <summary>What is missing for cluster mode, one line each (empty when the three PEM files are configured).</summary>
    public static IReadOnlyList<string> Missing(IConfiguration configuration) =>
    [
        .. string.IsNullOrWhiteSpace(configuration[CertificateSetting]) ? [$"{CertificateSetting} (PEM file: this process's cluster certificate, issued by the cluster's CA)"] : Array.Empty<string>(),
        .. string.IsNullOrWhiteSpace(configuration[KeySetting]) ? [$"{KeySetting} (PEM file: that certificate's private key)"] : Array.Empty<string>(),
        .. string.IsNullOrWhiteSpace(configuration[AuthoritySetting]) ? [$"{AuthoritySetting} (PEM file: the cluster's CA certificate; deploy/cluster-certs.sh makes one)"] : Array.Empty<string>(),
    ];

    public static ClusterTls FromConfiguration(IConfiguration configuration)
    {
        if (Missing(configuration) is { Count: > 0 } missing)
            throw new InvalidOperationException($"Cluster mode needs the cluster's certificates: {string.Join("; ", missing)}.");
        return FromPemFiles(configuration[CertificateSetting]!, configuration[KeySetting]!, configuration[AuthoritySetting]!);
    }

    public static ClusterTls FromPemFiles(string certificate, string key, string authority) =>
        new(X509Certificate2.CreateFromPemFile(certificate, key), X509CertificateLoader.LoadCertificateFromFile(authority));

    /// <summary>A throwaway authority and member certificate, in memory only (the embedded silo).</summary>
    public static ClusterTls Ephemeral()
    {
        var (authority, authorityKey) = ClusterCertificates.CreateAuthority("TicketFlow embedded cluster");
        using (authorityKey)
            return new(ClusterCertificates.IssueMember(authority, authorityKey, "embedded silo"), authority);
    }

    public ISiloBuilder Apply(ISiloBuilder silo) => silo.UseTls(Member, Configure);

    public IClientBuilder Apply(IClientBuilder client) => client.UseTls(Member, Configure);

    private void Configure(TlsOptions options)
    {
        options.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate; // peers, inbound and outbound, must present one
        options.ClientCertificateMode = RemoteCertificateMode.RequireCertificate; // and so do we when we connect
        options.RemoteCertificateValidation = IssuedByAuthority;
        // Orleans' default is 10 s. A silo starting on a busy machine (compiling its code, its thread pool not yet grown)
        // was measured stalling longer than that in the chaos run: its handshakes were cut, the others could not probe
        // it, and they declared it dead while it was joining.
        options.HandshakeTimeout = TimeSpan.FromSeconds(30);
    }

    /// <summary>The peer's certificate chains to the cluster's authority, and only to it (not to the machine's trusted roots).</summary>
    public bool IssuedByAuthority(X509Certificate2 certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.Add(Authority);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return custom.Build(certificate);
    }
}

/// <summary>Makes a cluster certificate authority and member certificates (the embedded silo's throwaway ones, and tests').</summary>
public static class ClusterCertificates
{
    public static (X509Certificate2 Certificate, ECDsa Key) CreateAuthority(string name)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        var now = DateTimeOffset.UtcNow;
        return (request.CreateSelfSigned(now.AddMinutes(-5), now.AddYears(10)), key);
    }

    /// <summary>A member certificate for both ends of a connection (server and client authentication), with its private key.</summary>
    public static X509Certificate2 IssueMember(X509Certificate2 authority, ECDsa authorityKey, string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false)); // serverAuth, clientAuth
        var now = DateTimeOffset.UtcNow;
        var serial = RandomNumberGenerator.GetBytes(16);
        using var issued = request.Create(authority.SubjectName, X509SignatureGenerator.CreateForECDsa(authorityKey), now.AddMinutes(-5), now.AddYears(2), serial);
        using var withKey = issued.CopyWithPrivateKey(key);
        // Through PKCS#12 so the key is not an ephemeral one that TLS on some platforms cannot use.
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }
}
