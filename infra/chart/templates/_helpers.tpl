{{/* Names, labels and shared pieces of modsync's chart. */}}

{{- define "modsync.fullname" -}}
{{- if .Values.dkpCompatible -}}deckhouse{{- else -}}{{ .Release.Name | trunc 50 | trimSuffix "-" }}{{- end -}}
{{- end -}}

{{- define "modsync.labels" -}}
app.kubernetes.io/name: modsync
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/* Pod labels of a component; in DKP mode every pod also carries app=deckhouse. */}}
{{- define "modsync.selectorLabels" -}}
app.kubernetes.io/name: modsync
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- if .root.Values.dkpCompatible }}
app: deckhouse
{{- end }}
{{- end -}}

{{- define "modsync.secretName" -}}
{{- if .Values.api.existingSecret -}}{{ .Values.api.existingSecret }}{{- else -}}{{ include "modsync.fullname" . }}-api{{- end -}}
{{- end -}}

{{- define "modsync.redisSecretName" -}}
{{- if .Values.redis.existingSecret -}}{{ .Values.redis.existingSecret }}{{- else -}}{{ include "modsync.fullname" . }}-redis{{- end -}}
{{- end -}}

{{/* A value kept across upgrades: the existing Secret's, else the given one, else a new random one. */}}
{{- define "modsync.keep" -}}
{{- $secret := lookup "v1" "Secret" .root.Release.Namespace .secret -}}
{{- if .value -}}{{ .value }}{{- else if and $secret (index $secret.data .key) -}}{{ index $secret.data .key | b64dec }}{{- else -}}{{ randAlphaNum 32 }}{{- end -}}
{{- end -}}

{{/* How Redis is reached: url (one server, also the bundled one), sentinel or cluster. */}}
{{- define "modsync.redisMode" -}}
{{- $r := .Values.redis -}}
{{- if and $r.sentinel.hosts $r.cluster.nodes -}}{{ fail "set redis.sentinel.hosts or redis.cluster.nodes, not both" }}{{- end -}}
{{- if and $r.bundled.enabled (or $r.sentinel.hosts $r.cluster.nodes) -}}{{ fail "redis.bundled is a single server: unset it to use redis.sentinel or redis.cluster" }}{{- end -}}
{{- if $r.sentinel.hosts -}}
{{- if not $r.sentinel.masterName -}}{{ fail "redis.sentinel.hosts needs redis.sentinel.masterName" }}{{- end -}}
sentinel
{{- else if $r.cluster.nodes -}}cluster
{{- else -}}url
{{- end -}}
{{- end -}}

{{/* Environment both services share. */}}
{{- define "modsync.commonEnv" -}}
{{- $mode := include "modsync.redisMode" . -}}
{{- if eq $mode "url" }}
- name: MODSYNC_REDIS_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "modsync.redisSecretName" . }}
      key: url
{{- else }}
{{- if eq $mode "sentinel" }}
- name: MODSYNC_REDIS_SENTINELS
  value: {{ join "," .Values.redis.sentinel.hosts | quote }}
- name: MODSYNC_REDIS_MASTER_NAME
  value: {{ .Values.redis.sentinel.masterName | quote }}
- name: MODSYNC_REDIS_SENTINEL_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "modsync.redisSecretName" . }}
      key: sentinel-password
      optional: true
{{- else }}
- name: MODSYNC_REDIS_CLUSTER
  value: {{ join "," .Values.redis.cluster.nodes | quote }}
{{- end }}
{{- with .Values.redis.username }}
- name: MODSYNC_REDIS_USERNAME
  value: {{ . | quote }}
{{- end }}
- name: MODSYNC_REDIS_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "modsync.redisSecretName" . }}
      key: password
      optional: true
{{- end }}
- name: MODSYNC_NAMESPACE
  valueFrom:
    fieldRef:
      fieldPath: metadata.namespace
- name: POD_NAMESPACE
  valueFrom:
    fieldRef:
      fieldPath: metadata.namespace
- name: POD_NAME
  valueFrom:
    fieldRef:
      fieldPath: metadata.name
- name: MODSYNC_IDENTITY
  valueFrom:
    fieldRef:
      fieldPath: metadata.name
- name: MODSYNC_HTTP_HOST
  value: "0.0.0.0"
{{- if .Values.apiServer.host }}
- name: KUBERNETES_SERVICE_HOST
  value: {{ .Values.apiServer.host | quote }}
- name: KUBERNETES_SERVICE_PORT
  value: {{ .Values.apiServer.port | quote }}
{{- end }}
{{- end -}}

{{- define "modsync.podSpecCommon" -}}
{{- if .Values.hostNetwork }}
hostNetwork: true
dnsPolicy: ClusterFirstWithHostNet
{{- end }}
securityContext:
  runAsNonRoot: true
  runAsUser: 1000
  runAsGroup: 1000
  fsGroup: 1000
  seccompProfile:
    type: RuntimeDefault
terminationGracePeriodSeconds: 30
{{- with .Values.nodeSelector }}
nodeSelector: {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.tolerations }}
tolerations: {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.affinity }}
affinity: {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{- define "modsync.containerSecurity" -}}
securityContext:
  allowPrivilegeEscalation: false
  readOnlyRootFilesystem: true
  capabilities:
    drop: [ALL]
{{- end -}}

{{/*
The HTTP server's env, container port and probes, given the port. Port 0: each replica binds a free port of its own, so
several replicas can share one host's network (hostNetwork on a single node); there is then no containerPort (with
hostNetwork it is a hostPort, and the scheduler places one such pod per node) and the probes run modsync-probe in the
container, which reads the port the service wrote to MODSYNC_HTTP_PORT_FILE.
*/}}
{{- define "modsync.httpEnv" -}}
- name: MODSYNC_HTTP_PORT
  value: {{ . | quote }}
{{- if eq (int .) 0 }}
- name: MODSYNC_HTTP_PORT_FILE
  value: /tmp/http-port
{{- end }}
{{- end -}}

{{- define "modsync.httpProbes" -}}
{{- if eq (int .) 0 -}}
readinessProbe:
  exec: {command: [modsync-probe, /readyz]}
  periodSeconds: 5
  timeoutSeconds: 6
livenessProbe:
  exec: {command: [modsync-probe, /healthz]}
  periodSeconds: 10
  timeoutSeconds: 6
  failureThreshold: 6
{{- else -}}
ports:
  - {name: http, containerPort: {{ . }}}
readinessProbe:
  httpGet: {path: /readyz, port: http}
  periodSeconds: 5
livenessProbe:
  httpGet: {path: /healthz, port: http}
  periodSeconds: 10
  failureThreshold: 6
{{- end }}
{{- end -}}

{{/* A Service's ports for the HTTP port; with port 0 (a port per replica) the Service is headless and has none. */}}
{{- define "modsync.servicePorts" -}}
{{- if eq (int .) 0 -}}
clusterIP: None
{{- else -}}
ports:
  - {name: http, port: {{ . }}, targetPort: http}
{{- end }}
{{- end -}}
