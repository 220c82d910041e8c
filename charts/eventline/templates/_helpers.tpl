{{/* Chart name and release-scoped name, the usual way. */}}
{{- define "eventline.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "eventline.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Selector labels shared by everything a release owns. */}}
{{- define "eventline.selectorLabels" -}}
app.kubernetes.io/name: {{ include "eventline.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "eventline.labels" -}}
{{ include "eventline.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/part-of: eventline
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
eventline.dev/region: {{ .Values.region | quote }}
{{- end -}}

{{/*
The routing declaration (routing.yaml), parsed and checked. Every template that needs it calls
this, so a broken routing file fails the render with a message naming the entry.
*/}}
{{- define "eventline.routingFile" -}}
{{- $routing := .Files.Get "routing.yaml" | fromYaml -}}
{{- if not $routing -}}{{- fail "routing.yaml is missing or empty" -}}{{- end -}}
{{- if hasKey $routing "Error" -}}{{- fail (printf "routing.yaml does not parse: %s" $routing.Error) -}}{{- end -}}
{{- $handlers := $routing.handlers | default dict -}}
{{- $defaultDelivery := (($routing.defaults | default dict).delivery) | default dict -}}
{{- range $name, $h := $handlers -}}
{{- if not (regexMatch "^[a-z]([-a-z0-9]*[a-z0-9])?$" $name) -}}{{- fail (printf "routing.yaml: handler name %q is not a DNS label" $name) -}}{{- end -}}
{{- if gt (len $name) 40 -}}{{- fail (printf "routing.yaml: handler name %q is longer than 40 characters (Knative appends revision suffixes)" $name) -}}{{- end -}}
{{- if not $h.package -}}{{- fail (printf "routing.yaml: handler %q has no package" $name) -}}{{- end -}}
{{- if not (has $h.kind (list "edge" "trigger" "sink" "job")) -}}{{- fail (printf "routing.yaml: handler %q has kind %v; expected edge, trigger, sink or job" $name $h.kind) -}}{{- end -}}
{{- if and (eq $h.kind "trigger") (not $h.type) -}}{{- fail (printf "routing.yaml: trigger handler %q has no type" $name) -}}{{- end -}}
{{- if eq $h.kind "job" -}}
{{- if not (kindIs "string" $h.schedule) -}}{{- fail (printf "routing.yaml: job handler %q has no schedule" $name) -}}{{- end -}}
{{- if not (regexMatch "^(@(yearly|annually|monthly|weekly|daily|midnight|hourly)|[0-9A-Za-z*?,/-]+( +[0-9A-Za-z*?,/-]+){4})$" (trim $h.schedule)) -}}{{- fail (printf "routing.yaml: job handler %q has schedule %q, which is not a cron expression (five fields, or @hourly, @daily, ...)" $name $h.schedule) -}}{{- end -}}
{{- if $h.type -}}{{- fail (printf "routing.yaml: job handler %q has a type; its Trigger takes its PingSource's ticks" $name) -}}{{- end -}}
{{- end -}}
{{- if has $h.kind (list "trigger" "job") -}}
{{- $dls := (mergeOverwrite (deepCopy $defaultDelivery) ($h.delivery | default dict)).deadLetterSink -}}
{{- if not $dls -}}{{- fail (printf "routing.yaml: trigger handler %q has no deadLetterSink" $name) -}}{{- end -}}
{{- if not (hasKey $handlers $dls) -}}{{- fail (printf "routing.yaml: handler %q names deadLetterSink %q, which is not a handler" $name $dls) -}}{{- end -}}
{{- if eq $dls $name -}}{{- fail (printf "routing.yaml: handler %q is its own deadLetterSink" $name) -}}{{- end -}}
{{- end -}}
{{- end -}}
{{- toYaml $routing -}}
{{- end -}}

{{- /* This release's part of the hybrid model (values `site`): a region runs the handlers and
KafkaSources of site region and every, and routing's KafkaSinks when it forwards to central;
central those of site central and every; `all` every handler in one release, where the broker
itself carries the feed, so no sink and no central KafkaSource. */ -}}
{{- define "eventline.routing" -}}
{{- $routing := include "eventline.routingFile" . | fromYaml -}}
{{- $handlers := $routing.handlers | default dict -}}
{{- $site := .Values.site | default "all" -}}
{{- $onSite := dict -}}
{{- range $name, $h := $handlers -}}
{{- $own := $h.site | default "region" -}}
{{- if or (eq $site "all") (eq $own $site) (eq $own "every") -}}{{- $_ := set $onSite $name $h -}}{{- end -}}
{{- end -}}
{{- $_ := set $routing "handlers" $onSite -}}
{{- $sources := dict -}}
{{- range $name, $src := ($routing.kafkaSources | default dict) -}}
{{- $own := $src.site | default "region" -}}
{{- if or (and (eq $site "all") (ne $own "central")) (eq $own $site) (eq $own "every") -}}{{- $_ := set $sources $name (omit $src "site") -}}{{- end -}}
{{- end -}}
{{- $_ := set $routing "kafkaSources" $sources -}}
{{- if not (and (eq $site "region") .Values.forwardToCentral) -}}{{- $_ := set $routing "kafkaSinks" dict -}}{{- end -}}
{{- toYaml $routing -}}
{{- end -}}

{{/*
Every KafkaSink: routing.yaml declares the region's feed to central (rendered in a region that
forwards to central); values add sinks or tune them (an entry of the same name: its Kafka, auth,
partitions).
*/}}
{{- define "eventline.kafkaSinks" -}}
{{- $routing := include "eventline.routing" . | fromYaml -}}
{{- $sinks := dict -}}
{{- range $name, $declared := ($routing.kafkaSinks | default dict) }}
{{- $_ := set $sinks $name (merge (deepCopy (index $.Values.kafkaSinks $name | default dict)) (omit $declared "description")) }}
{{- end }}
{{- /* values tuning a routing.yaml sink this release does not render add no sink of their own */ -}}
{{- $declared := (include "eventline.routingFile" . | fromYaml).kafkaSinks | default dict -}}
{{- range $name, $sink := .Values.kafkaSinks }}
{{- if not (or (hasKey $sinks $name) (hasKey $declared $name)) }}{{ $_ := set $sinks $name $sink }}{{ end }}
{{- end }}
{{- toYaml $sinks -}}
{{- end -}}

{{/*
Every KafkaSource: routing.yaml declares the sources handlers depend on; values add sources or
tune them (an entry of the same name).
*/}}
{{- define "eventline.kafkaSources" -}}
{{- $routing := include "eventline.routing" . | fromYaml -}}
{{- $sources := dict -}}
{{- range $name, $declared := ($routing.kafkaSources | default dict) }}
{{- $_ := set $sources $name (merge (deepCopy (index $.Values.kafkaSources $name | default dict)) $declared) }}
{{- end }}
{{- range $name, $src := .Values.kafkaSources }}
{{- if not (hasKey $sources $name) }}{{ $_ := set $sources $name $src }}{{ end }}
{{- end }}
{{- toYaml $sources -}}
{{- end -}}

{{/*
A handler's ServiceAccount: its own, so that the broker can tell one sender from another (the
token it sends is this ServiceAccount's), or the namespace's default when the chart makes none.
*/}}
{{- define "eventline.serviceAccountName" -}}
{{- .root.Values.serviceAccount.create | ternary (printf "%s-%s" (include "eventline.fullname" .root) .name) "default" -}}
{{- end -}}

{{/* The broker every trigger, SinkBinding and source uses (routing.yaml broker.name). */}}
{{- define "eventline.brokerName" -}}
{{- $routing := include "eventline.routing" . | fromYaml -}}
{{- (($routing.broker | default dict).name) | default "default" -}}
{{- end -}}

{{/* Image of a service package: packages.<package>.image (skaffold sets it) or registry/prefix+package:tag. */}}
{{- define "eventline.image" -}}
{{- $root := .root -}}
{{- $override := dig .package "image" "" ($root.Values.packages | default dict) -}}
{{- if $override -}}
{{- $override -}}
{{- else -}}
{{- $repo := printf "%s%s" $root.Values.image.namePrefix .package -}}
{{- if $root.Values.image.registry -}}{{- $repo = printf "%s/%s" (trimSuffix "/" $root.Values.image.registry) $repo -}}{{- end -}}
{{- if $root.Values.image.digest -}}
{{- printf "%s@%s" $repo $root.Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" $repo (default $root.Chart.AppVersion $root.Values.image.tag) -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/*
A handler's effective settings: handlerDefaults overlaid by handlers.<name>, key by key, so an
explicit 0 or false in a handler block wins (mergeOverwrite would skip zero values).
*/}}
{{- define "eventline.handlerSettings" -}}
{{- $d := .root.Values.handlerDefaults -}}
{{- $h := index (.root.Values.handlers | default dict) .name | default dict -}}
{{- $routing := .root.Files.Get "routing.yaml" | fromYaml -}}
{{- $kind := dig "handlers" .name "kind" "" $routing -}}
{{- $ja := (eq $kind "job") | ternary (dig "autoscaling" dict (.root.Values.jobDefaults | default dict)) dict -}}
{{- $da := $d.autoscaling | default dict -}}
{{- $ha := $h.autoscaling | default dict -}}
{{- $autoscaling := dict -}}
{{- range $key := list "minScale" "maxScale" "initialScale" "target" "targetUtilizationPercentage" "metric" "scaleDownDelay" "window" "class" -}}
{{- if hasKey $ha $key -}}{{- $_ := set $autoscaling $key (index $ha $key) -}}{{- else if hasKey $ja $key -}}{{- $_ := set $autoscaling $key (index $ja $key) -}}{{- else if hasKey $da $key -}}{{- $_ := set $autoscaling $key (index $da $key) -}}{{- end -}}
{{- end -}}
{{- $s := dict "autoscaling" $autoscaling -}}
{{- range $key := list "enabled" "containerConcurrency" "timeoutSeconds" "responseStartTimeoutSeconds" "idleTimeoutSeconds" "resources" "env" "extraEnv" "logLevel" "visibility" "probes" "annotations" "labels" -}}
{{- if hasKey $h $key -}}{{- $_ := set $s $key (index $h $key) -}}{{- else if hasKey $d $key -}}{{- $_ := set $s $key (index $d $key) -}}{{- end -}}
{{- end -}}
{{- toYaml $s -}}
{{- end -}}

{{/* Names of the Secrets and keys that hold DATABASE_URL and REDIS_URL. */}}
{{- define "eventline.postgresSecret" -}}
{{- .Values.postgres.existingSecret | default (printf "%s-postgres" (include "eventline.fullname" .)) -}}
{{- end -}}

{{/*
Where a package's handlers (role "runtime") or its migration Job (role "owner") read DATABASE_URL:
the package's own Secret when postgres.packageSecrets names them, else the one shared URL.
*/}}
{{- define "eventline.databaseSecretRef" -}}
{{- $pattern := .root.Values.postgres.packageSecrets -}}
{{- if $pattern -}}
name: {{ printf $pattern .package }}
key: {{ ternary "ownerUrl" "url" (eq .role "owner") }}
{{- else -}}
name: {{ .sharedSecret }}
key: {{ .root.Values.postgres.existingSecretKey }}
{{- end -}}
{{- end -}}

{{/* True when the chart builds the one shared DATABASE_URL from the postgres values. */}}
{{- define "eventline.buildsDatabaseUrl" -}}
{{- if not (or .Values.postgres.existingSecret .Values.postgres.packageSecrets) -}}true{{- end -}}
{{- end -}}
{{- define "eventline.redisSecret" -}}
{{- .Values.redis.existingSecret | default (printf "%s-redis" (include "eventline.fullname" .)) -}}
{{- end -}}

{{- define "eventline.databaseUrl" -}}
{{- $p := .Values.postgres -}}
{{- if not $p.password -}}{{- fail "postgres.password is required unless postgres.existingSecret names a Secret holding DATABASE_URL, or postgres.packageSecrets a Secret per package" -}}{{- end -}}
{{- printf "postgres://%s:%s@%s:%v/%s?sslmode=%s" (urlquery $p.username) (urlquery $p.password) $p.host $p.port $p.database $p.sslMode -}}
{{- end -}}

{{- define "eventline.redisUrl" -}}
{{- $r := .Values.redis -}}
{{- $auth := "" -}}
{{- if $r.password -}}{{- $auth = printf "%s:%s@" (urlquery ($r.username | default "default")) (urlquery $r.password) -}}{{- end -}}
{{- printf "%s://%s%s:%v/%v" (ternary "rediss" "redis" $r.tls) $auth $r.host $r.port $r.db -}}
{{- end -}}

{{/* The restricted container securityContext every container of the release runs with. */}}
{{- define "eventline.containerSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .Values.securityContext.runAsUser }}
runAsGroup: {{ .Values.securityContext.runAsGroup }}
readOnlyRootFilesystem: true
allowPrivilegeEscalation: false
capabilities:
  drop: [ALL]
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/*
Env shared by handlers and migration Jobs: DATABASE_URL and REDIS_URL from Secrets; a migration
Job with a Secret per package also gets the name of the runtime role it grants DML to.
*/}}
{{- define "eventline.secretEnv" -}}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      {{- include "eventline.databaseSecretRef" (dict "root" .root "package" .package "role" .role "sharedSecret" .postgresSecret) | nindent 6 }}
{{- if and (eq .role "owner") .root.Values.postgres.packageSecrets }}
- name: EVENTLINE_RUNTIME_ROLE
  valueFrom:
    secretKeyRef:
      name: {{ printf .root.Values.postgres.packageSecrets .package }}
      key: runtimeRole
{{- end }}
{{- if .redis }}
- name: REDIS_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "eventline.redisSecret" .root }}
      key: {{ .root.Values.redis.existingSecretKey }}
{{- end }}
{{- end -}}

{{/* A checksum of configuration that handlers read at start, so changing it rolls a new revision. */}}
{{- define "eventline.configChecksum" -}}
{{- $parts := list (toYaml .Values.config) .Values.region .Values.logLevel (toYaml .Values.otel) -}}
{{- if include "eventline.buildsDatabaseUrl" . -}}{{- $parts = append $parts (include "eventline.databaseUrl" .) -}}{{- end -}}
{{- if not .Values.redis.existingSecret -}}{{- $parts = append $parts (include "eventline.redisUrl" .) -}}{{- end -}}
{{- join "\n" $parts | sha256sum -}}
{{- end -}}

{{/* Service packages named in routing.yaml, sorted and unique. */}}
{{- define "eventline.packages" -}}
{{- $routing := include "eventline.routing" . | fromYaml -}}
{{- $packages := list -}}
{{- range $name, $h := $routing.handlers -}}{{- $packages = append $packages $h.package -}}{{- end -}}
{{- toYaml (dict "packages" ($packages | uniq | sortAlpha)) -}}
{{- end -}}
