/** The gcp side of `packer build` (activities/iac/packer.ts): the variables both templates take. */
import { labelValue } from './names';
import type { GcpStep } from './step-context';

/** Variables the kernel build and the image bake share; label values already in GCP's charset. */
export function commonPackerVars(s: GcpStep, v: { bucket: string; flavor: string; digest: string; cycleId: string; rc: string; sourceImage: string; machineType: string }): Record<string, string> {
  return {
    project_id: s.project,
    zone: s.zone,
    bucket: v.bucket,
    flavor: v.flavor,
    digest: v.digest,
    source_image: v.sourceImage,
    machine_type: v.machineType,
    cycle_label: labelValue(v.cycleId),
    rc_label: labelValue(v.rc),
  };
}
