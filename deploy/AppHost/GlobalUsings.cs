global using Aspire.Hosting;
global using Aspire.Hosting.ApplicationModel;
global using Microsoft.AspNetCore.Builder;
global using Microsoft.AspNetCore.Http;
global using Microsoft.Extensions.Configuration;
global using Microsoft.Extensions.DependencyInjection;
global using Microsoft.Extensions.Hosting;
global using Microsoft.Extensions.Logging;
global using Microsoft.AspNetCore.Hosting;

// The local cluster runs Linux processes (setpriv, signals, file modes).
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
