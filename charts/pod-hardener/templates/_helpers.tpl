{{/* Names: "pod-hardener" for a release of that name, as in manifests/. */}}
{{- define "pod-hardener.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "pod-hardener.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "pod-hardener.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "pod-hardener.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "pod-hardener.selectorLabels" -}}
app.kubernetes.io/name: {{ include "pod-hardener.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "pod-hardener.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "pod-hardener.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* The Service's DNS name: the one the API server calls, and the certificate's. */}}
{{- define "pod-hardener.serviceHost" -}}
{{- printf "%s.%s.svc" (include "pod-hardener.fullname" .) .Release.Namespace }}
{{- end }}

{{- define "pod-hardener.tlsSecretName" -}}
{{- if eq .Values.certificates.mode "existing" }}
{{- required "certificates.existing.secretName is required with certificates.mode=existing" .Values.certificates.existing.secretName }}
{{- else }}
{{- printf "%s-tls" (include "pod-hardener.fullname" .) }}
{{- end }}
{{- end }}

{{- define "pod-hardener.image" -}}
{{- $tag := default .Chart.AppVersion .Values.image.tag }}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository $tag }}
{{- end }}
{{- end }}

{{/*
The generated CA and serving certificate (certificates.mode=generate), as a
map of base64 values: ca.crt, tls.crt, tls.key. Those of the Secret already in
the cluster are kept, so an upgrade changes neither the CA bundle nor the
certificate; `helm template` (no cluster) always makes new ones. Made once per
rendering and shared by the Secret and the webhook configuration.
*/}}
{{- define "pod-hardener.generatedTLS" -}}
{{- if not (hasKey .Values "__generatedTLS") }}
{{- $secret := lookup "v1" "Secret" .Release.Namespace (include "pod-hardener.tlsSecretName" .) }}
{{- $data := dig "data" dict $secret }}
{{- if and (index $data "ca.crt") (index $data "tls.crt") (index $data "tls.key") }}
{{- $_ := set .Values "__generatedTLS" (pick $data "ca.crt" "tls.crt" "tls.key") }}
{{- else }}
{{- $days := int .Values.certificates.generate.validityDays }}
{{- $ca := genCA (printf "%s-ca" (include "pod-hardener.fullname" .)) $days }}
{{- $host := include "pod-hardener.serviceHost" . }}
{{- $short := printf "%s.%s" (include "pod-hardener.fullname" .) .Release.Namespace }}
{{- $names := list (include "pod-hardener.fullname" .) $short $host (printf "%s.cluster.local" $host) }}
{{- $cert := genSignedCert $host nil $names $days $ca }}
{{- $_ := set .Values "__generatedTLS" (dict "ca.crt" ($ca.Cert | b64enc) "tls.crt" ($cert.Cert | b64enc) "tls.key" ($cert.Key | b64enc)) }}
{{- end }}
{{- end }}
{{- toYaml (get .Values "__generatedTLS") }}
{{- end }}

{{/* The caBundle of the webhook configuration, base64; empty when cert-manager injects it. */}}
{{- define "pod-hardener.caBundle" -}}
{{- if eq .Values.certificates.mode "generate" }}
{{- index (include "pod-hardener.generatedTLS" . | fromYaml) "ca.crt" }}
{{- else if eq .Values.certificates.mode "existing" }}
{{- required "certificates.existing.caBundle (PEM) is required with certificates.mode=existing" .Values.certificates.existing.caBundle | b64enc }}
{{- end }}
{{- end }}

{{/* The serving certificate, its name for cert-manager's CA injection. */}}
{{- define "pod-hardener.servingCertificateName" -}}
{{- printf "%s-serving" (include "pod-hardener.fullname" .) }}
{{- end }}

{{/* The port that answers probes and metrics: the webhook's own, or the probe port with client authentication. */}}
{{- define "pod-hardener.probePortName" -}}
{{- if .Values.clientAuth.enabled }}probes{{ else }}https{{ end }}
{{- end }}
