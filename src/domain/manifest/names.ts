/**
 * Name rules of the tools the manifest feeds (Kubernetes, Helm, Linux modules), as patterns
 * the schema and the rules share. A cloud's own naming rules are in its plugin. Pure module.
 */

/** A Kubernetes DNS-1123 label: namespaces and node names. */
export const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export const DNS1123_LABEL_MAX = 63;

/** Helm keeps release names to 53 characters (it adds suffixes to names of its own objects). */
export const HELM_RELEASE_MAX = 53;

/** Chart names: lower case letters, digits and dashes (Helm's chart naming convention). */
export const HELM_CHART = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** A SemVer 2 version, with the leading `v` charts often carry. */
export const CHART_VERSION = /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$/;

/** An OCI registry reference without scheme: `host[:port]/path`, as `helm` takes after `oci://`. */
export const OCI_REGISTRY = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?(:[0-9]{1,5})?(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/;

/** Region codes of any cloud: `eu-west-1`, `westeurope`, `europe-west1`. */
export const CLOUD_REGION = /^[a-z][a-z0-9-]*[a-z0-9]$/;

/** A Linux module name as `modprobe` takes it. */
export const MODULE_NAME = /^[A-Za-z0-9_-]+$/;

/** A module parameter name (a C identifier). */
export const MODULE_PARAM = /^[A-Za-z_][A-Za-z0-9_]*$/;
