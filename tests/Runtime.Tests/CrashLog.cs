using System.Runtime.CompilerServices;

namespace TicketFlow.Runtime.Tests;

internal static class CrashLog
{
    [ModuleInitializer]
    internal static void Install() =>
        AppDomain.CurrentDomain.UnhandledException += (_, e) => File.AppendAllText("/tmp/tf-unhandled.txt", e.ExceptionObject + "\n\n");
}
