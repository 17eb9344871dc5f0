using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using TicketFlow.Data;
using TicketFlow.Domain.Security;

namespace TicketFlow.WebFront.Tests.Security;

/// <summary>Embedded mode keeps users' password hashes, orders, the key ring and the ticket signing key on disk: only the
/// account that runs TicketFlow may read them.</summary>
public sealed class PrivateDataFilesTests
{
    [Fact]
    public async Task Embedded_mode_creates_its_data_folder_0700_and_the_database_and_signing_key_0600()
    {
        if (OperatingSystem.IsWindows()) return; // Unix file modes
        var root = Directory.CreateTempSubdirectory("tf-private-").FullName;
        try
        {
            var folder = Path.Combine(root, "data"); // not there yet: TicketFlow creates it
            await using (var host = new WebFrontHost(("TICKETFLOW_DATA", Path.Combine(folder, "ticketflow.db"))))
            {
                using (var registered = await host.CreateClient().PostAsJsonAsync("/api/v1/auth/register",
                           new { email = "private@example.com", password = "private-quartz-lantern-1", name = "Private" }))
                    Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
                host.Factory.Services.GetRequiredService<SigningKey>(); // embedded: generated into signing.key on first use

                Assert.Equal(PrivateFiles.OwnerOnlyFolder, new DirectoryInfo(folder).UnixFileMode);
                var files = Directory.GetFiles(folder).Select(Path.GetFileName).ToList();
                Assert.Contains("ticketflow.db", files);
                Assert.Contains("signing.key", files);
                Assert.Contains("ticketflow.db-wal", files); // SQLite gives its -wal and -shm files the database's mode
                foreach (var file in files)
                    Assert.True(File.GetUnixFileMode(Path.Combine(folder, file!)) == PrivateFiles.OwnerOnlyFile,
                        $"{file} is {File.GetUnixFileMode(Path.Combine(folder, file!))}");
            }
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
