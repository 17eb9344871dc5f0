using System.Security.Cryptography.X509Certificates;
using TicketFlow.Hosting;

namespace TicketFlow.Testing;

/// <summary>PEM files of a cluster certificate authority and one member certificate, in a folder of their own.</summary>
public sealed record ClusterCertificateFiles(string Certificate, string Key, string Authority)
{
    /// <summary>The settings a silo or WebFront reads them from.</summary>
    public IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        [ClusterTls.CertificateSetting] = Certificate,
        [ClusterTls.KeySetting] = Key,
        [ClusterTls.AuthoritySetting] = Authority,
    };

    public ClusterTls Load() => ClusterTls.FromPemFiles(Certificate, Key, Authority);

    private static readonly Lazy<ClusterCertificateFiles> Shared = new(() =>
    {
        var folder = LocalMachine.FreshTempFolder("tf-test-certs-");
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Directory.Delete(folder, recursive: true);
        return Create(folder);
    });

    /// <summary>One set for the whole test process: for cluster-mode WebFronts whose tests are not about TLS.</summary>
    public static ClusterCertificateFiles ForTests => Shared.Value;

    /// <summary>A fresh authority and a member certificate it issued, written under <paramref name="folder"/>.</summary>
    public static ClusterCertificateFiles Create(string folder, string name = "test cluster")
    {
        Directory.CreateDirectory(folder);
        var (authority, authorityKey) = ClusterCertificates.CreateAuthority($"{name} CA");
        using (authorityKey)
        using (authority)
        using (var member = ClusterCertificates.IssueMember(authority, authorityKey, $"{name} member"))
        {
            var files = new ClusterCertificateFiles(Path.Combine(folder, "member.crt"), Path.Combine(folder, "member.key"), Path.Combine(folder, "ca.crt"));
            File.WriteAllText(files.Certificate, member.ExportCertificatePem());
            File.WriteAllText(files.Key, member.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
            File.WriteAllText(files.Authority, authority.ExportCertificatePem());
            return files;
        }
    }
}
