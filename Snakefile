# tumorboard: tumour/normal reads -> molecular tumour board report (research use only).
from snakemake.exceptions import WorkflowError
from snakemake.utils import min_version

from tumorboard import stale as tb_stale
from tumorboard.inputs import config as tb_config

min_version("9.0")


configfile: "config/config.yaml"


# Defaults and meaning of every key: workflow/tumorboard/schemas/config.schema.yaml.  A misspelt
# or invalid key stops the run here, before any job, with one line naming it.
try:
    tb_config.validate(config)
except tb_config.ConfigError as exc:
    raise WorkflowError(f"tumorboard: config: {exc}")


include: "workflow/rules/common.smk"
include: "workflow/rules/unpack.smk"
include: "workflow/rules/resources.smk"
include: "workflow/rules/pharmacogenomics.smk"
include: "workflow/rules/knowledgebase.smk"
include: "workflow/rules/demo.smk"
include: "workflow/rules/align.smk"
include: "workflow/rules/somatic.smk"
include: "workflow/rules/import.smk"
include: "workflow/rules/cnv.smk"
include: "workflow/rules/report.smk"
include: "workflow/rules/provenance.smk"
include: "workflow/rules/cohort.smk"
include: "workflow/rules/cluster.smk"
include: "workflow/rules/keep_going.smk"


# A run that fails must not leave an older report looking current: the outputs of every job
# about to run are removed before the first one starts (workflow/tumorboard/stale.py).
onstart:
    if not workflow.touch:
        tb_stale.remove_outputs(tb_stale.outputs_to_remake(workflow.dag))


rule all:
    default_target: True
    input:
        final_outputs(),
