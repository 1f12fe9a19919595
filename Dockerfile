# Routing node image (every role; the pod's --roles picks them) with routingctl inside for preStop hooks and
# `kubectl exec … routingctl cluster show`.
#   docker build -t routing:latest .
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN dotnet publish src/Routing.Node/Routing.Node.csproj -c Release -o /out/node \
 && dotnet publish src/Routing.Ctl/Routing.Ctl.csproj -c Release -o /out/ctl

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
# espeak-ng and sox: the gateway speaks configured prompt texts with them at first use (shipped prompts otherwise).
RUN apt-get update \
 && apt-get install -y --no-install-recommends espeak-ng sox \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# The node looks for hocon/ and config/ in its working directory (the published output carries them and prompts/
# too; hocon/ and config/ are copied explicitly so the image never depends on that).
COPY --from=build /out/node/ /app/
COPY --from=build /src/hocon/ /app/hocon/
COPY --from=build /src/config/ /app/config/
# routingctl in its own directory (its dependencies are not the node's).
COPY --from=build /out/ctl/ /app/ctl/
RUN printf '#!/bin/sh\nexec dotnet /app/ctl/Routing.Ctl.dll "$@"\n' > /usr/local/bin/routingctl \
 && chmod 755 /usr/local/bin/routingctl \
 && useradd --system --uid 10001 --home-dir /app/data routing \
 && mkdir -p /app/data && chown -R routing /app/data
# data/: the SQLite journal of a single node and the gateway's spoken-prompt cache (data/spoken-prompts).
USER routing
# akka, http (/healthz /ready /metrics /api), ctl (routingctl), SIP
EXPOSE 4053 8080 9110 5060/udp 5060/tcp
ENTRYPOINT ["dotnet", "/app/Routing.Node.dll"]
