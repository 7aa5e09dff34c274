# kernel-build (aws): builds the debug kernel of one flavor on a throwaway Amazon Linux 2023
# instance and uploads the RPMs, build log and reproducer to
# s3://<bucket>/kernels/<flavor>/<digest>/. No AMI is created: the image bake installs the
# RPMs into the EKS AMI. Run one file at a time (`packer init` then `packer build` on this
# file); the activity passes every variable with -var and reads the manifest it writes.

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
  description = "AWS region of the builder instance and the artifacts bucket."
}

variable "bucket" {
  type        = string
  description = "Artifacts bucket; the build lands under kernels/<flavor>/<digest>/."
}

variable "flavor" {
  type        = string
  description = "Kernel flavor: a directory under kernel/flavors/."
  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]*$", var.flavor)) && var.flavor != "common"
    error_message = "The flavor must be a lower-case name of a directory under kernel/flavors/ other than common."
  }
}

variable "digest" {
  type        = string
  description = "Digest of every input of the build; names the S3 prefix and is the cache key."
  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9._:-]{7,127}$", var.digest))
    error_message = "The digest must be 8 to 128 characters of letters, digits and . _ : -."
  }
}

variable "cycle_id" {
  type        = string
  description = "Id of the cycle that asked for the build (tags only: the build itself is shared by digest)."
}

variable "rc" {
  type        = string
  description = "Release candidate under test (tags only)."
}

variable "k8s_version" {
  type        = string
  description = "Kubernetes version of the workload cluster; its EKS AL2023 AMI is the builder, so the kernel source matches the nodes."
}

variable "source_ami" {
  type        = string
  description = "EKS-optimized AL2023 AMI of k8s_version, resolved by the activity from /aws/service/eks/optimized-ami/<k8s>/amazon-linux-2023/x86_64/standard/recommended/image_id."
}

variable "instance_type" {
  type        = string
  default     = "c6i.4xlarge"
  description = "Builder instance type: a debug build of the distribution config wants many cores."
}

variable "subnet_id" {
  type        = string
  default     = ""
  description = "Subnet of the builder; empty means the default VPC. It needs a route to S3 and to the worker (SSH)."
}

variable "volume_size_gb" {
  type        = number
  default     = 150
  description = "Root volume of the builder: source, objects with debug information and the packages."
}

variable "iam_instance_profile" {
  type        = string
  default     = ""
  description = "Existing instance profile that may write the S3 prefix; empty means Packer creates a temporary one scoped to it."
}

variable "kernel_dir" {
  type        = string
  default     = ""
  description = "The repository's kernel/ directory (flavor fragments, verify-config.py, aws/ build script); empty means the one next to this template."
}

variable "result_dir" {
  type        = string
  default     = "."
  description = "Local directory that receives build.json from the builder."
}

variable "manifest_path" {
  type        = string
  default     = "packer-manifest.json"
  description = "Where the manifest post-processor writes the build record the activity reads."
}

variable "build_jobs" {
  type        = number
  default     = 0
  description = "make -j for the kernel build; 0 means one per vCPU."
}

locals {
  kernel_dir = var.kernel_dir != "" ? var.kernel_dir : "${path.root}/../../kernel"
  prefix     = "kernels/${var.flavor}/${var.digest}"
  tags = {
    "rcdebug:managed" = "true"
    "rcdebug:cycle"   = var.cycle_id
    "rcdebug:rc"      = var.rc
    "rcdebug:flavor"  = var.flavor
    "rcdebug:digest"  = var.digest
    "rcdebug:step"    = "kernel-build"
  }
}

source "amazon-ebs" "kernel_builder" {
  region        = var.region
  source_ami    = var.source_ami
  instance_type = var.instance_type
  subnet_id     = var.subnet_id == "" ? null : var.subnet_id
  ssh_username  = "ec2-user"
  ssh_timeout   = "15m"
  # No AMI: the product of this build is the set of RPMs in S3.
  skip_create_ami = true
  ami_name        = "rcdebug-kernel-build-${var.flavor}-${substr(var.digest, 0, 8)}"

  associate_public_ip_address = true
  # SSH is only opened to the public address of the machine running packer.
  temporary_security_group_source_public_ip = true

  iam_instance_profile = var.iam_instance_profile == "" ? null : var.iam_instance_profile
  dynamic "temporary_iam_instance_profile_policy_document" {
    for_each = var.iam_instance_profile == "" ? [1] : []
    content {
      Version = "2012-10-17"
      Statement {
        Effect   = "Allow"
        Action   = ["s3:PutObject", "s3:GetObject"]
        Resource = ["arn:aws:s3:::${var.bucket}/${local.prefix}/*"]
      }
    }
  }

  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
  }

  launch_block_device_mappings {
    device_name           = "/dev/xvda"
    volume_size           = var.volume_size_gb
    volume_type           = "gp3"
    iops                  = 6000
    throughput            = 500
    delete_on_termination = true
  }

  run_tags        = merge(local.tags, { Name = "rcdebug-kernel-build-${var.flavor}" })
  run_volume_tags = local.tags
  tags            = local.tags
}

build {
  name    = "rcdebug-kernel"
  sources = ["source.amazon-ebs.kernel_builder"]

  provisioner "shell" {
    inline = ["rm -rf /tmp/rcdebug && mkdir -p /tmp/rcdebug/kernel"]
  }

  provisioner "file" {
    source      = "${local.kernel_dir}/"
    destination = "/tmp/rcdebug/kernel"
  }

  provisioner "shell" {
    script = "${local.kernel_dir}/aws/build-al2023-kernel.sh"
    environment_vars = [
      "RCDEBUG_BUCKET=${var.bucket}",
      "RCDEBUG_FLAVOR=${var.flavor}",
      "RCDEBUG_DIGEST=${var.digest}",
      "RCDEBUG_CYCLE_ID=${var.cycle_id}",
      "RCDEBUG_RC=${var.rc}",
      "RCDEBUG_JOBS=${var.build_jobs}",
      "RCDEBUG_KERNEL_DIR=/tmp/rcdebug/kernel",
      "AWS_DEFAULT_REGION=${var.region}",
    ]
    execute_command = "chmod +x {{ .Path }}; sudo env {{ .Vars }} {{ .Path }}"
    timeout         = "5h"
  }

  provisioner "file" {
    direction   = "download"
    source      = "/var/tmp/rcdebug-kernel/out/build.json"
    destination = "${var.result_dir}/build.json"
  }

  post-processor "manifest" {
    output     = var.manifest_path
    strip_path = true
    custom_data = {
      step        = "kernel-build"
      bucket      = var.bucket
      prefix      = "s3://${var.bucket}/${local.prefix}/"
      flavor      = var.flavor
      digest      = var.digest
      cycle_id    = var.cycle_id
      rc          = var.rc
      k8s_version = var.k8s_version
      source_ami  = var.source_ami
    }
  }
}
