{{/* The release's full name, as every object's name prefix. */}}
{{- define "tickettoken.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* The name of one module's objects: <fullname>-<app-id>. */}}
{{- define "tickettoken.moduleName" -}}
{{- printf "%s-%s" (include "tickettoken.fullname" .root) .name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "tickettoken.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/part-of: tickettoken
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Values.image.tag | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/* Selector labels of one module: stable across upgrades. */}}
{{- define "tickettoken.selectorLabels" -}}
app.kubernetes.io/name: {{ .name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- end -}}

{{- define "tickettoken.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "tickettoken.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "tickettoken.image" -}}
{{- printf "%s:%s" .Values.image.repository .Values.image.tag -}}
{{- end -}}

{{/*
Refuses values that would render but not work. The schema checks shapes; this checks combinations.
*/}}
{{- define "tickettoken.validate" -}}
{{- $tag := toString .Values.image.tag -}}
{{- if or (eq $tag "") (eq $tag "latest") -}}
{{- fail "image.tag must be a fixed version: an empty tag or \"latest\" deploys whatever was pushed last" -}}
{{- end -}}
{{- $enabled := 0 -}}
{{- $paths := dict -}}
{{- range $name, $module := .Values.modules -}}
{{- if $module.enabled -}}
{{- $enabled = add1 $enabled -}}
{{- range $path := $module.ingressPaths -}}
{{- if and (hasKey $paths $path) (eq (get $paths $path) $name) -}}
{{- fail (printf "modules.%s.ingressPaths lists %s twice" $name $path) -}}
{{- else if hasKey $paths $path -}}
{{- fail (printf "modules %s and %s both claim the ingress path %s" (get $paths $path) $name $path) -}}
{{- end -}}
{{- $_ := set $paths $path $name -}}
{{- end -}}
{{- if and $module.autoscaling.enabled (gt (int $module.autoscaling.minReplicas) (int $module.autoscaling.maxReplicas)) -}}
{{- fail (printf "modules.%s.autoscaling: minReplicas (%v) is above maxReplicas (%v)" $name $module.autoscaling.minReplicas $module.autoscaling.maxReplicas) -}}
{{- end -}}
{{- $floor := ternary $module.autoscaling.minReplicas $module.replicas $module.autoscaling.enabled -}}
{{- if and $module.podDisruptionBudget.enabled (ge (int $module.podDisruptionBudget.minAvailable) (int $floor)) -}}
{{- fail (printf "modules.%s.podDisruptionBudget.minAvailable (%v) must be below its replicas (%v), or no node could ever be drained" $name $module.podDisruptionBudget.minAvailable $floor) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- if eq $enabled 0 -}}
{{- fail "no module is enabled: set modules.<app-id>.enabled to true for at least one" -}}
{{- end -}}
{{- if and (dig "identity" "enabled" false .Values.modules) (not .Values.identity.secretKey.existingSecret) -}}
{{- fail "identity.secretKey.existingSecret is empty: the identity module needs a Secret with the base64 of 32 random bytes (openssl rand -base64 32) to protect its signing keys" -}}
{{- end -}}
{{- if and (dig "tickets" "enabled" false .Values.modules) (not .Values.tickets.secretKey.existingSecret) -}}
{{- fail "tickets.secretKey.existingSecret is empty: the tickets module needs a Secret with the base64 of 32 random bytes (openssl rand -base64 32) to protect its event keys" -}}
{{- end -}}
{{- if and (dig "scanning" "enabled" false .Values.modules) (not .Values.scanning.secretKey.existingSecret) -}}
{{- fail "scanning.secretKey.existingSecret is empty: the scanning module needs a Secret with the base64 of 32 random bytes (openssl rand -base64 32) to protect event keys and manifest signing keys" -}}
{{- end -}}
{{- if and (dig "minting" "enabled" false .Values.modules) (not .Values.minting.secretKey.existingSecret) -}}
{{- fail "minting.secretKey.existingSecret is empty: the minting module needs a Secret with the base64 of 32 random bytes (openssl rand -base64 32) to protect its registry key and the fans' wallets" -}}
{{- end -}}
{{- if and (dig "minting" "enabled" false .Values.modules) (eq .Values.minting.backend "solana") (not .Values.minting.rpcUrl) -}}
{{- fail "minting.rpcUrl is empty: the solana backend needs a JSON-RPC endpoint (docs/operations.md)" -}}
{{- end -}}
{{- if dig "notifications" "enabled" false .Values.modules -}}
{{- if not .Values.notifications.secretKey.existingSecret -}}
{{- fail "notifications.secretKey.existingSecret is empty: the notifications module needs a Secret with the base64 of 32 random bytes (openssl rand -base64 32) to protect webhook secrets and queued codes" -}}
{{- end -}}
{{- if not .Values.notifications.smtp.host -}}
{{- fail "notifications.smtp.host is empty: the notifications module hands mail to an SMTP server (docs/operations.md)" -}}
{{- end -}}
{{- end -}}
{{- if dig "payments" "enabled" false .Values.modules -}}
{{- if not .Values.payments.webhookSecret.existingSecret -}}
{{- fail "payments.webhookSecret.existingSecret is empty: the payments module verifies every webhook with it (the Stripe endpoint's signing secret, whsec_...)" -}}
{{- end -}}
{{- if and (eq .Values.payments.gateway "stripe") (not .Values.payments.stripeSecretKey.existingSecret) -}}
{{- fail "payments.stripeSecretKey.existingSecret is empty: the stripe gateway needs a Secret with the Stripe secret key" -}}
{{- end -}}
{{- end -}}
{{- if and (ne .Values.dapr.stateStore "redis") (ne .Values.dapr.stateStore "postgresql") -}}
{{- fail (printf "dapr.stateStore is %q; use redis or postgresql" .Values.dapr.stateStore) -}}
{{- end -}}
{{- if and (ne .Values.dapr.pubsub "redis") (ne .Values.dapr.pubsub "rabbitmq") -}}
{{- fail (printf "dapr.pubsub is %q; use redis or rabbitmq (Dapr has no PostgreSQL pub/sub)" .Values.dapr.pubsub) -}}
{{- end -}}
{{- if and .Values.ingress.tls (not .Values.ingress.host) -}}
{{- fail "ingress.tls needs ingress.host: a certificate names a host" -}}
{{- end -}}
{{- if and (gt (float64 .Values.dapr.tracing.samplingRate) 0.0) (not .Values.dapr.tracing.zipkinEndpoint) (not .Values.dapr.tracing.otlpEndpoint) -}}
{{- fail "dapr.tracing.samplingRate is above 0 but neither zipkinEndpoint nor otlpEndpoint is set" -}}
{{- end -}}
{{- end -}}
