global using Orleans;
global using Orleans.Runtime;
