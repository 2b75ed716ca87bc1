# syntax=docker/dockerfile:1
# The one image every module runs from; TICKETTOKEN__SERVICES picks the module, TICKETTOKEN__RUNTIME the runtime.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
# DejaVu Sans for the tickets' PDF (PDFsharp finds no fonts by itself on Linux); only the two faces it uses are copied below.
RUN apt-get update && apt-get install -y --no-install-recommends fonts-dejavu-core && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY services/ services/
RUN --mount=type=cache,id=nuget,target=/root/.nuget/packages \
    dotnet publish services/Host/TicketToken.Host.csproj --configuration Release --output /app --nologo

# Chiseled: no shell, no package manager, a non-root "app" user (UID 1654) by default; about 110 MB.
FROM mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled AS runtime
WORKDIR /app
COPY --from=build /app ./
# Chiseled images have no time-zone database; venues and recurring events need IANA zones (Europe/Berlin, ...).
COPY --from=build /usr/share/zoneinfo /usr/share/zoneinfo
COPY --from=build /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf /usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf /usr/share/fonts/truetype/dejavu/
ENV ASPNETCORE_URLS=http://+:8080 \
    ASPNETCORE_ENVIRONMENT=Production \
    TICKETTOKEN__LOGGING__FORMAT=json \
    DOTNET_EnableDiagnostics=0
EXPOSE 8080
USER 1654
ENTRYPOINT ["dotnet", "TicketToken.Host.dll"]
