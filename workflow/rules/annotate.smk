# Consequences on the MANE Select transcripts with bcftools csq (one record at a time: -l, since
# tumour variants at different allele fractions need not share a haplotype).


rule csq:
    input:
        vcf="results/somatic/{patient}.vcf.gz",
        ref=REF,
        gff=GFF,
    output:
        vcf="results/annotate/{patient}.vcf.gz",
        tbi="results/annotate/{patient}.vcf.gz.tbi",
    log:
        "results/logs/csq/{patient}.log",
    benchmark:
        "results/benchmarks/csq/{patient}.tsv"
    conda:
        ENVS / "bcftools.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=30,
    shell:
        # --no-version: no run date in the header (byte-identical reruns; versions in provenance)
        "(bcftools csq --no-version -l -f {input.ref:q} -g {input.gff:q} -Oz -o {output.vcf:q} {input.vcf:q}"
        " && tabix -p vcf {output.vcf:q}) > {log:q} 2>&1"
