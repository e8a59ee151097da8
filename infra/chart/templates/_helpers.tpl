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

{{/* Environment both services share. */}}
{{- define "modsync.commonEnv" -}}
- name: MODSYNC_REDIS_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "modsync.redisSecretName" . }}
      key: url
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
