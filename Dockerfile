# Routing node image (every role; the pod's --roles picks them) with routingctl inside for preStop hooks and
# `kubectl exec … routingctl cluster show`.
#   docker build -t routing:latest .
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN dotnet publish src/Routing.Node/Routing.Node.csproj -c Release -o /app/node \
 && dotnet publish src/Routing.Ctl/Routing.Ctl.csproj -c Release -o /app/ctl

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
# espeak-ng and sox: the gateway speaks configured prompt texts with them at first use (shipped prompts otherwise).
RUN apt-get update \
 && apt-get install -y --no-install-recommends espeak-ng sox \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# The published node carries hocon/, config/ and prompts/ beside its dll.
COPY --from=build /app/node/ /app/
COPY --from=build /app/ctl/ /opt/routingctl/
RUN printf '#!/bin/sh\nexec dotnet /opt/routingctl/Routing.Ctl.dll "$@"\n' > /usr/local/bin/routingctl \
 && chmod 755 /usr/local/bin/routingctl \
 && useradd --system --uid 10001 --home-dir /app routing \
 && mkdir -p /app/data && chown -R routing /app/data
USER routing
# akka, http (/healthz /ready /metrics /api), ctl (routingctl), SIP
EXPOSE 4053 8080 9110 5060/udp 5060/tcp
ENTRYPOINT ["dotnet", "/app/Routing.Node.dll"]
