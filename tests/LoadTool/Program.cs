return await TicketFlow.LoadTool.LoadToolCommand.RunAsync(args, Console.Out);
