// Copies the browser builds the pages use from node_modules into wwwroot/lib, with their licence. The copies are committed
// so that `dotnet run` needs nothing but the .NET SDK; run `npm ci && npm run copy` after changing a version here.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";

const target = new URL("../wwwroot/lib/signalr/", import.meta.url);
mkdirSync(target, { recursive: true });
const dist = new URL("./node_modules/@microsoft/signalr/dist/browser/", import.meta.url);
for (const file of ["signalr.min.js", "signalr.min.js.map"]) copyFileSync(new URL(file, dist), new URL(file, target));

const manifest = JSON.parse(readFileSync(new URL("./node_modules/@microsoft/signalr/package.json", import.meta.url)));
writeFileSync(new URL("LICENSE.txt", target), `${manifest.name} ${manifest.version} (npm), licence: ${manifest.license}
Source: https://github.com/dotnet/aspnetcore/tree/main/src/SignalR/clients/ts/signalr

The MIT License (MIT)

Copyright (c) .NET Foundation and Contributors

All rights reserved.

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
`);
console.log(`copied ${manifest.name} ${manifest.version} to wwwroot/lib/signalr`);
