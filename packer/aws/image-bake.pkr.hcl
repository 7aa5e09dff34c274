# image-bake (aws): the EKS-optimized AL2023 AMI of the cluster's Kubernetes version with the
# flavor's debug kernel as default kernel, the flavor's boot arguments, kmemleak on with a
# double-scan timer, and the CloudWatch agent ready to ship kernel messages and scan results.
# The AMI does not depend on the cycle: a node learns its log group from its user data (see
# terraform/aws/templates/), so one AMI serves every cycle with the same digest.
# Run one file at a time (`packer init` then `packer build -machine-readable` on this file);
# the AMI id is in the manifest's last build, artifact_id "<region>:<ami-id>".

packer {
  required_version = ">= 1.11.0"
  required_plugins {
    amazon = {
      source  = "github.com/hashicorp/amazon"
      version = "~> 1.3"
    }
  }
}

variable "region" {
  type        = string
  description = "AWS region of the AMI (the workload cluster's region)."
}

variable "bucket" {
  type        = string
  description = "Artifacts bucket holding the kernel build."
}

variable "flavor" {
  type        = string
  description = "Kernel flavor: a directory under kernel/flavors/; its cmdline file adds boot arguments."
  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]*$", var.flavor)) && var.flavor != "common"
    error_message = "The flavor must be a lower-case name of a directory under kernel/flavors/ other than common."
  }
}

variable "digest" {
  type        = string
  description = "Input digest of this image (tag rcdebug:digest; the registry's cache key)."
  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9._:-]{7,127}$", var.digest))
    error_message = "The digest must be 8 to 128 characters of letters, digits and . _ : -."
  }
}

variable "kernel_digest" {
  type        = string
  default     = ""
  description = "Digest of the kernel build whose RPMs are installed; empty means the same as digest."
}

variable "kernel_release" {
  type        = string
  description = "uname -r of the debug kernel (build.json's kernelRelease); the bake checks the image boots it."
}

variable "cycle_id" {
  type        = string
  description = "Id of the cycle that baked the image (tag rcdebug:cycle)."
}

variable "rc" {
  type        = string
  description = "Release candidate under test (tag rcdebug:rc)."
}

variable "k8s_version" {
  type        = string
  description = "Kubernetes version of the workload cluster, e.g. 1.33."
  validation {
    condition     = can(regex("^1\\.[0-9]+$", var.k8s_version))
    error_message = "The Kubernetes version is major.minor, e.g. 1.33."
  }
}

variable "source_ami" {
  type        = string
  description = "EKS-optimized AL2023 AMI of k8s_version, resolved by the activity from /aws/service/eks/optimized-ami/<k8s>/amazon-linux-2023/x86_64/standard/recommended/image_id."
}

variable "instance_type" {
  type        = string
  default     = "m6i.large"
  description = "Instance type of the bake (it boots the debug kernel once to check it)."
}

variable "subnet_id" {
  type        = string
  default     = ""
  description = "Subnet of the bake instance; empty means the default VPC."
}

variable "volume_size_gb" {
  type        = number
  default     = 30
  description = "Root volume of the AMI (the nodes' root volume size)."
}

variable "iam_instance_profile" {
  type        = string
  default     = ""
  description = "Existing instance profile that may read the kernel build; empty means Packer creates a temporary one scoped to it."
}

variable "scan_interval" {
  type        = string
  default     = "30min"
  description = "systemd time span between kmemleak double scans on the nodes."
}

variable "scan_wait_seconds" {
  type        = number
  default     = 60
  description = "Seconds between the two scans of a double scan (the first scan of a pair has false positives)."
}

variable "kernel_dir" {
  type        = string
  default     = ""
  description = "The repository's kernel/ directory (flavor boot arguments); empty means the one next to this template."
}

variable "scripts_dir" {
  type        = string
  default     = ""
  description = "packer/scripts/ (provisioning scripts and node files); empty means the one next to this template."
}

variable "manifest_path" {
  type        = string
  default     = "packer-manifest.json"
  description = "Where the manifest post-processor writes the build record the activity reads."
}

locals {
  kernel_dir    = var.kernel_dir != "" ? var.kernel_dir : "${path.root}/../../kernel"
  scripts_dir   = var.scripts_dir != "" ? var.scripts_dir : "${path.root}/../scripts"
  kernel_digest = var.kernel_digest != "" ? var.kernel_digest : var.digest
  kernel_prefix = "kernels/${var.flavor}/${local.kernel_digest}"
  # AMI names are unique per account and region; a rebake of the same digest gets a new one.
  ami_name = "rcdebug-eks-${var.k8s_version}-al2023-${var.flavor}-${substr(local.kernel_digest, 0, 12)}-${formatdate("YYYYMMDDhhmmss", timestamp())}"
  tags = {
    "rcdebug:managed"        = "true"
    "rcdebug:cycle"          = var.cycle_id
    "rcdebug:rc"             = var.rc
    "rcdebug:flavor"         = var.flavor
    "rcdebug:digest"         = var.digest
    "rcdebug:kernel-digest"  = local.kernel_digest
    "rcdebug:kernel-release" = var.kernel_release
    "rcdebug:k8s-version"    = var.k8s_version
    "rcdebug:source-ami"     = var.source_ami
  }
}

source "amazon-ebs" "eks_node" {
  region          = var.region
  source_ami      = var.source_ami
  instance_type   = var.instance_type
  subnet_id       = var.subnet_id == "" ? null : var.subnet_id
  ssh_username    = "ec2-user"
  ssh_timeout     = "15m"
  ami_name        = local.ami_name
  ami_description = "rcdebug ${var.flavor} debug kernel ${var.kernel_release} on the EKS ${var.k8s_version} AL2023 AMI ${var.source_ami}"

  associate_public_ip_address               = true
  temporary_security_group_source_public_ip = true

  iam_instance_profile = var.iam_instance_profile == "" ? null : var.iam_instance_profile
  dynamic "temporary_iam_instance_profile_policy_document" {
    for_each = var.iam_instance_profile == "" ? [1] : []
    content {
      Version = "2012-10-17"
      Statement {
        Effect   = "Allow"
        Action   = ["s3:GetObject"]
        Resource = ["arn:aws:s3:::${var.bucket}/${local.kernel_prefix}/*"]
      }
    }
  }

  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 2
  }

  launch_block_device_mappings {
    device_name           = "/dev/xvda"
    volume_size           = var.volume_size_gb
    volume_type           = "gp3"
    delete_on_termination = true
  }

  # Snapshotting a larger root volume can outlast the plugin's default ten minutes.
  aws_polling {
    delay_seconds = 30
    max_attempts  = 120
  }

  tags            = merge(local.tags, { Name = local.ami_name })
  snapshot_tags   = local.tags
  run_tags        = merge(local.tags, { Name = "rcdebug-image-bake-${var.flavor}" })
  run_volume_tags = local.tags
}

build {
  name    = "rcdebug-image"
  sources = ["source.amazon-ebs.eks_node"]

  provisioner "shell" {
    inline = ["rm -rf /tmp/rcdebug && mkdir -p /tmp/rcdebug/flavors /tmp/rcdebug/scripts"]
  }

  provisioner "file" {
    source      = "${local.kernel_dir}/flavors/"
    destination = "/tmp/rcdebug/flavors"
  }

  provisioner "file" {
    source      = "${local.scripts_dir}/"
    destination = "/tmp/rcdebug/scripts"
  }

  provisioner "shell" {
    environment_vars = [
      "RCDEBUG_KERNEL_PREFIX=s3://${var.bucket}/${local.kernel_prefix}/",
      "RCDEBUG_KERNEL_RELEASE=${var.kernel_release}",
      "RCDEBUG_FLAVOR=${var.flavor}",
      "RCDEBUG_FLAVORS_DIR=/tmp/rcdebug/flavors",
      "RCDEBUG_SCAN_INTERVAL=${var.scan_interval}",
      "RCDEBUG_SCAN_WAIT=${var.scan_wait_seconds}",
      "RCDEBUG_NODE_FILES=/tmp/rcdebug/scripts/node",
      "AWS_DEFAULT_REGION=${var.region}",
    ]
    execute_command = "chmod +x {{ .Path }}; sudo env {{ .Vars }} bash {{ .Path }}"
    scripts = [
      "${local.scripts_dir}/install-debug-kernel.sh",
      "${local.scripts_dir}/install-kmemleak-scan.sh",
      "${local.scripts_dir}/install-log-shipping.sh",
    ]
  }

  # Boot the image once: an AMI whose debug kernel does not come up would only fail later,
  # as a node group that never gets ready.
  provisioner "shell" {
    inline            = ["sudo systemctl reboot"]
    expect_disconnect = true
  }

  provisioner "shell" {
    pause_before = "30s"
    # A KASAN kernel boots several times slower than the stock one.
    start_retry_timeout = "15m"
    environment_vars    = ["RCDEBUG_KERNEL_RELEASE=${var.kernel_release}"]
    execute_command     = "chmod +x {{ .Path }}; sudo env {{ .Vars }} bash {{ .Path }}"
    scripts = [
      "${local.scripts_dir}/check-debug-kernel.sh",
      "${local.scripts_dir}/cleanup-image.sh",
    ]
  }

  post-processor "manifest" {
    output     = var.manifest_path
    strip_path = true
    custom_data = {
      step           = "image-bake"
      flavor         = var.flavor
      digest         = var.digest
      kernel_digest  = local.kernel_digest
      kernel_release = var.kernel_release
      cycle_id       = var.cycle_id
      rc             = var.rc
      k8s_version    = var.k8s_version
      source_ami     = var.source_ami
      ami_name       = local.ami_name
    }
  }
}
