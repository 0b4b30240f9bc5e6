{% raw %}{{/* The chart's name, shortened to the 63 characters Kubernetes allows in a name. */}}
{{- define "{% endraw %}{{ cookiecutter.project_slug }}{% raw %}.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* A fully qualified app name: the release name, plus the chart name unless the release already */}}
{{/* contains it; truncated at 63 characters less room for the longest component suffix ("-dashboard"). */}}
{{- define "{% endraw %}{{ cookiecutter.project_slug }}{% raw %}.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 52 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 52 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 52 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* Chart name and version, as used by the chart label. */}}
{{- define "{% endraw %}{{ cookiecutter.project_slug }}{% raw %}.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Common labels. */}}
{{- define "{% endraw %}{{ cookiecutter.project_slug }}{% raw %}.labels" -}}
helm.sh/chart: {{ include "{% endraw %}{{ cookiecutter.project_slug }}{% raw %}.chart" . }}
{{ include "{% endraw %}{{ cookiecutter.project_slug }}{% raw %}.selectorLabels" . }}
{{- if .Chart.AppVersion }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* Selector labels. */}}
{{- define "{% endraw %}{{ cookiecutter.project_slug }}{% raw %}.selectorLabels" -}}
app.kubernetes.io/name: {{ include "{% endraw %}{{ cookiecutter.project_slug }}{% raw %}.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* The service account the pods run as. */}}
{{- define "{% endraw %}{{ cookiecutter.project_slug }}{% raw %}.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "{% endraw %}{{ cookiecutter.project_slug }}{% raw %}.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The full image (dashboard, pipeline); the tag defaults to the chart's appVersion. */}}
{{- define "{% endraw %}{{ cookiecutter.project_slug }}{% raw %}.image" -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) }}
{{- end }}

{{/* The API's own image (API, migrations), same tag. */}}
{{- define "{% endraw %}{{ cookiecutter.project_slug }}{% raw %}.apiImage" -}}
{{- printf "%s:%s" .Values.image.apiRepository (.Values.image.tag | default .Chart.AppVersion) }}
{{- end }}

{{/* The Secret holding DATABASE_URL, OIDC_CLIENT_SECRET, SESSION_SECRET (and AWS_SECRET_ACCESS_KEY). */}}
{{- define "{% endraw %}{{ cookiecutter.project_slug }}{% raw %}.secretName" -}}
{{- default (include "{% endraw %}{{ cookiecutter.project_slug }}{% raw %}.fullname" .) .Values.secrets.existingSecret }}
{{- end }}

{{/* Where the dashboard and the Python client reach the API: the API Service unless overridden. */}}
{{- define "{% endraw %}{{ cookiecutter.project_slug }}{% raw %}.apiUrl" -}}
{{- default (printf "http://%s-api:%v" (include "{% endraw %}{{ cookiecutter.project_slug }}{% raw %}.fullname" .) .Values.api.service.port) .Values.config.apiUrl }}
{{- end }}

{{/* The MLflow tracking server: the chart's own Service unless config.mlflowTrackingUri names another. */}}
{{- define "{% endraw %}{{ cookiecutter.project_slug }}{% raw %}.mlflowTrackingUri" -}}
{{- if .Values.config.mlflowTrackingUri }}
{{- .Values.config.mlflowTrackingUri }}
{{- else if .Values.mlflow.enabled }}
{{- printf "http://%s-mlflow:%v" (include "{% endraw %}{{ cookiecutter.project_slug }}{% raw %}.fullname" .) .Values.mlflow.service.port }}
{{- else }}
{{- fail "config.mlflowTrackingUri is required with mlflow.enabled=false: the URL of your MLflow tracking server" }}
{{- end }}
{{- end }}

{{/* Settings for every application container: plain values from the ConfigMap, secrets by key */}}
{{/* (or, with secrets.asFiles, as files in SECRETS_DIR: see volumeMounts). */}}
{{/* Each variable is a field of the application's Settings (src/<package>/config.py). */}}
{{- define "{% endraw %}{{ cookiecutter.project_slug }}{% raw %}.appEnv" -}}
envFrom:
  - configMapRef:
      name: {{ include "{% endraw %}{{ cookiecutter.project_slug }}{% raw %}.fullname" . }}
{{- if not .Values.secrets.asFiles }}
env:
  - name: DATABASE_URL
    valueFrom:
      secretKeyRef:
        name: {{ include "{% endraw %}{{ cookiecutter.project_slug }}{% raw %}.secretName" . }}
        key: DATABASE_URL
  - name: OIDC_CLIENT_SECRET
    valueFrom:
      secretKeyRef:
        name: {{ include "{% endraw %}{{ cookiecutter.project_slug }}{% raw %}.secretName" . }}
        key: OIDC_CLIENT_SECRET
  - name: SESSION_SECRET
    valueFrom:
      secretKeyRef:
        name: {{ include "{% endraw %}{{ cookiecutter.project_slug }}{% raw %}.secretName" . }}
        key: SESSION_SECRET
  - name: AWS_SECRET_ACCESS_KEY
    valueFrom:
      secretKeyRef:
        name: {{ include "{% endraw %}{{ cookiecutter.project_slug }}{% raw %}.secretName" . }}
        key: AWS_SECRET_ACCESS_KEY
        optional: true
{{- end }}
{{- end }}

{{/* Where secrets.asFiles mounts the Secret: one file per key, read by Settings via SECRETS_DIR. */}}
{{- define "{% endraw %}{{ cookiecutter.project_slug }}{% raw %}.secretsDir" -}}
/run/secrets/app
{{- end }}

{{/* Writable places on a read-only root filesystem (/tmp, data, home); the Secret with asFiles. */}}
{{- define "{% endraw %}{{ cookiecutter.project_slug }}{% raw %}.volumeMounts" -}}
- name: tmp
  mountPath: /tmp
- name: data
  mountPath: /app/var
- name: home
  mountPath: /home/app
{{- if .Values.secrets.asFiles }}
- name: secrets
  mountPath: {{ include "{% endraw %}{{ cookiecutter.project_slug }}{% raw %}.secretsDir" . }}
  readOnly: true
{{- end }}
{{- end }}

{{- define "{% endraw %}{{ cookiecutter.project_slug }}{% raw %}.volumes" -}}
- name: tmp
  emptyDir: {}
- name: data
  emptyDir: {}
- name: home
  emptyDir: {}
{{- if .Values.secrets.asFiles }}
- name: secrets
  secret:
    secretName: {{ include "{% endraw %}{{ cookiecutter.project_slug }}{% raw %}.secretName" . }}
    # Readable by the app's group (fsGroup) only, never writable.
    defaultMode: 0440
{{- end }}
{{- end }}

{{/* Pod spec fields shared by every component. */}}
{{- define "{% endraw %}{{ cookiecutter.project_slug }}{% raw %}.podCommon" -}}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
serviceAccountName: {{ include "{% endraw %}{{ cookiecutter.project_slug }}{% raw %}.serviceAccountName" . }}
automountServiceAccountToken: false
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
{{- with .Values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}

{{/* Checksums that roll the pods when their configuration changes. */}}
{{- define "{% endraw %}{{ cookiecutter.project_slug }}{% raw %}.configChecksums" -}}
checksum/config: {{ include (print $.Template.BasePath "/configmap.yaml") . | sha256sum }}
checksum/secret: {{ include (print $.Template.BasePath "/secret.yaml") . | sha256sum }}
{{- end }}
{%- endraw %}
