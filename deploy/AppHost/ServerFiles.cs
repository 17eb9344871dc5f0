namespace TicketFlow.AppHost;

/// <summary>The servers' own files in the state folder: a fresh PostgreSQL cluster, redis.conf and nginx.conf.</summary>
public static class ServerFiles
{
    private static bool IsRoot => Environment.UserName == "root";

    /// <summary>
    /// The command line that runs a PostgreSQL binary as the postgres user when the AppHost is root (PostgreSQL refuses
    /// to run as root); setpriv execs, so the process DCP watches is PostgreSQL's.
    /// </summary>
    public static (string Command, string[] Arguments) AsPostgresUser(string binary, params string[] arguments) => IsRoot
        ? ("setpriv", ["--reuid=postgres", "--regid=postgres", "--init-groups", binary, .. arguments])
        : (binary, arguments);

    /// <summary>initdb into a fresh data folder, then CREATE DATABASE in single-user mode (no server needs to run yet).</summary>
    public static void CreatePostgresDatabase(ClusterLayout layout)
    {
        var pg = Path.GetDirectoryName(layout.PostgresData)!;
        if (Directory.Exists(pg)) Directory.Delete(pg, recursive: true);
        Directory.CreateDirectory(layout.PostgresData);
        Directory.CreateDirectory(Path.Combine(pg, "socket"));
        if (IsRoot) ClusterLayout.Run("chown", ["-R", "postgres:postgres", pg]);
        var bin = layout.Options.PostgresBin;
        var (initdb, initdbArguments) = AsPostgresUser(Path.Combine(bin, "initdb"), "-D", layout.PostgresData, "-U", "postgres", "--auth=trust", "-E", "UTF8");
        File.WriteAllText(Path.Combine(layout.Logs, "initdb.log"), ClusterLayout.Run(initdb, initdbArguments));
        var (single, singleArguments) = AsPostgresUser(Path.Combine(bin, "postgres"), "--single", "-D", layout.PostgresData, "postgres");
        ClusterLayout.Run(single, singleArguments, input: "CREATE DATABASE ticketflow;\n");
    }

    /// <summary>
    /// PostgreSQL's arguments (fsync on). Its SIGTERM is a "smart" shutdown that waits for every pooled connection to
    /// close, so a stop (the dashboard's, or a restart) would hang until it is killed and leave its backends behind:
    /// the wrapper turns SIGTERM into SIGINT, the fast shutdown that pg_ctl -m fast sends.
    /// </summary>
    public static (string Command, string[] Arguments) PostgresServer(ClusterLayout layout)
    {
        var socket = Path.Combine(Path.GetDirectoryName(layout.PostgresData)!, "socket");
        string[] server =
        [
            Path.Combine(layout.Options.PostgresBin, "postgres"), "-D", layout.PostgresData, "-p", layout.PostgresPort!.Value.ToString(),
            "-k", socket, "-c", "listen_addresses=127.0.0.1", "-c", "max_connections=500", "-c", "fsync=on",
        ];
        const string fastOnTerm = """
            "$@" & pid=$!
            trap 'kill -INT $pid' TERM INT
            wait $pid; trap - TERM INT; wait $pid
            """;
        return AsPostgresUser("/bin/bash", ["-c", fastOnTerm, "postgres", .. server]);
    }

    /// <summary>Membership's Redis: append-only persistence and a password, as a deployment runs it. Its data starts empty.</summary>
    public static string WriteRedisConfiguration(ClusterLayout layout)
    {
        var folder = Path.Combine(layout.State, "redis");
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, "redis.conf");
        File.WriteAllText(path, $"""
            port {layout.RedisPort}
            bind 127.0.0.1
            dir {folder}
            appendonly yes
            requirepass {layout.RedisPassword}
            save ""

            """);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return path;
    }

    public static string NginxFolder(ClusterLayout layout) => Path.Combine(layout.State, "nginx");

    /// <summary>nginx in front of the WebFronts: keep-alive to each, SignalR hubs pinned by client address.</summary>
    public static void WriteNginxConfiguration(ClusterLayout layout)
    {
        var folder = NginxFolder(layout);
        var temp = Path.Combine(folder, "tmp");
        Directory.CreateDirectory(temp);
        // nginx workers run as nobody when the master is root
        File.SetUnixFileMode(temp, (UnixFileMode)0b111_111_111);
        var servers = string.Concat(layout.WebFronts.Select(w => $"        server 127.0.0.1:{w.Port} max_fails=3 fail_timeout=5s;\n"));
        File.WriteAllText(Path.Combine(folder, "nginx.conf"), $$"""
            # Written by deploy/AppHost at each start: load-balances the local WebFronts.
            # A proxied WebSocket holds two of a worker's connections (client's, WebFront's). Each worker has its own
            # descriptor limit (this machine's hard limit: 20,000), so 4 workers x 16,384 connections carry ~32,000
            # live-update clients, what two WebFronts admit at that limit (16,000 each, logged at their start);
            # reuseport spreads new connections over the workers.
            worker_processes 4;
            worker_rlimit_nofile 20000;
            pid {{folder}}/nginx.pid;
            error_log {{layout.Logs}}/nginx-error.log warn;

            events { worker_connections 16384; }

            http {
                access_log {{layout.Logs}}/nginx-access.log combined buffer=64k flush=1s;
                client_body_temp_path {{temp}}/body;
                proxy_temp_path {{temp}}/proxy;
                fastcgi_temp_path {{temp}}/fastcgi;
                uwsgi_temp_path {{temp}}/uwsgi;
                scgi_temp_path {{temp}}/scgi;

                map $http_upgrade $connection_upgrade { default upgrade; '' ''; }

                upstream webfront {
            {{servers}}        keepalive 64;
                }

                # SignalR: negotiate and the connection it returns must reach the same WebFront unless clients skip
                # negotiation (WebSockets only), so the hubs are pinned by client address: the whole address (ip_hash
                # would take an IPv4 address's first three bytes, one WebFront for a whole /24 such as a carrier's NAT).
                upstream webfront_hubs {
                    hash $remote_addr consistent;
            {{servers}}    }

                server {
                    listen 127.0.0.1:{{layout.PublicPort}} reuseport;
                    proxy_http_version 1.1;
                    # No proxy_set_header here: a location that sets any header inherits none from this level (nginx), so
                    # each location names all of its own (Host and the client's address included).
                    # Only a WebFront that cannot be reached is skipped; its 503 (with Retry-After) is an answer for the
                    # client, and counting it as a failure would take every WebFront out at once while the database restarts.
                    proxy_next_upstream error timeout;

                    location /hubs/ {
                        proxy_pass http://webfront_hubs;
                        proxy_set_header Host $host;
                        proxy_set_header X-Real-IP $remote_addr;
                        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
                        proxy_set_header X-Forwarded-Proto $scheme;
                        proxy_set_header Upgrade $http_upgrade;
                        proxy_set_header Connection $connection_upgrade;
                        # negotiate's keep-alive connection would stay open beside the WebSocket (two descriptors per client here
                        # and in the browser): closed after the answer, as the WebFront closes its own (Connection: close).
                        keepalive_timeout 0;
                        proxy_read_timeout 1h;
                        proxy_send_timeout 1h;
                    }

                    # A venue layout (up to 100,000 seats) is megabytes of JSON; everything else stays at the 1 MB default.
                    location /api/v1/venues {
                        client_max_body_size 64m;
                        proxy_pass http://webfront;
                        proxy_set_header Host $host;
                        proxy_set_header X-Real-IP $remote_addr;
                        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
                        proxy_set_header X-Forwarded-Proto $scheme;
                        proxy_set_header Connection "";
                    }

                    location / {
                        proxy_pass http://webfront;
                        proxy_set_header Host $host;
                        proxy_set_header X-Real-IP $remote_addr;
                        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
                        proxy_set_header X-Forwarded-Proto $scheme;
                        proxy_set_header Connection "";
                    }
                }
            }

            """);
    }
}
