/** Naming rules of the aws cloud: what EKS and AWS accept. Pure module. */

/** EKS cluster names: 1 to 100 characters, a letter or digit first, then letters, digits, `-` and `_`. */
export const EKS_CLUSTER = /^[0-9A-Za-z][A-Za-z0-9_-]*$/;
export const EKS_CLUSTER_MAX = 100;

/** AWS region codes such as `eu-west-1` or `us-gov-west-1`. */
export const AWS_REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
