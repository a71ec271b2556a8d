"""The judge of the `vertex` profile: Vertex AI's Gen AI evaluation service.

Each verdict is one `evaluateInstances` call through the real `EvaluationServiceClient` (REST):
a pointwise metric as `pointwise_metric_input`, a pairwise one as `pairwise_metric_input`, the
metric's template as `metric_prompt_template` and the example's fields as `json_instance`, as
`vertexai.evaluation.EvalTask` sends them. On Google Cloud Google's autorater answers; with the
profile's `gcp.endpoint` set, the emulator's (the rules of `evaluation.rules`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .judges import Judge, Verdict
from .rubrics import JudgeMetric

if TYPE_CHECKING:
    from ..core.session import Session

NAME = "vertex:evaluation-service"
_CHOICES = {"CANDIDATE": "B", "BASELINE": "A", "TIE": "SAME"}


class VertexEvalJudge(Judge):
    """Model-based metrics rated by `evaluateInstances` in the profile's project and location."""

    name = NAME

    def __init__(self, client: Any, location: str):
        super().__init__()
        self.client, self.location = client, location

    def close(self) -> None:
        """Close the client's HTTP session."""
        self.client.transport.close()

    def _judge(self, metric: JudgeMetric, variables: Mapping[str, str], sample: int) -> Verdict:
        from google.cloud import aiplatform_v1 as v1

        instance = json.dumps({k: variables.get(k, "") for k in sorted(metric.fields)}, ensure_ascii=False)
        if metric.pairwise:
            request = v1.EvaluateInstancesRequest(
                location=self.location,
                pairwise_metric_input=v1.PairwiseMetricInput(
                    metric_spec=v1.PairwiseMetricSpec(metric_prompt_template=metric.template),
                    instance=v1.PairwiseMetricInstance(json_instance=instance),
                ),
            )
        else:
            request = v1.EvaluateInstancesRequest(
                location=self.location,
                pointwise_metric_input=v1.PointwiseMetricInput(
                    metric_spec=v1.PointwiseMetricSpec(metric_prompt_template=metric.template),
                    instance=v1.PointwiseMetricInstance(json_instance=instance),
                ),
            )
        try:
            response = self.client.evaluate_instances(request=request)
        except Exception as exc:  # one failed call is recorded on its example, the rest go on
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            return Verdict(error=f"evaluateInstances failed: {first}")
        if metric.pairwise:
            result = response.pairwise_metric_result
            choice = _CHOICES.get(v1.PairwiseChoice(result.pairwise_choice).name)
            if choice is None:
                return Verdict(error="evaluateInstances returned no pairwise choice")
            return Verdict(choice=choice, explanation=result.explanation)
        point = response.pointwise_metric_result
        if "score" not in point:
            return Verdict(error="evaluateInstances returned no score")
        lo, hi = metric.scale
        if not lo <= point.score <= hi:
            return Verdict(error=f"score {point.score:g} is outside the rubric's scale {lo:g}..{hi:g}")
        return Verdict(score=float(point.score), explanation=point.explanation)


def service_judge(session: Session) -> VertexEvalJudge:
    """The evaluation service of the session's `[gcp]` project and location (its endpoint when set)."""
    from google.api_core.client_options import ClientOptions
    from google.cloud import aiplatform_v1 as v1

    from ..backends.gcp.clients import gcp_settings, project_and_credentials

    gcp = gcp_settings(session.settings)
    project, credentials = project_and_credentials(session.settings)
    endpoint = (gcp.endpoint or "").strip().rstrip("/") or f"{gcp.location}-aiplatform.googleapis.com"
    client = v1.EvaluationServiceClient(
        credentials=credentials, transport="rest", client_options=ClientOptions(api_endpoint=endpoint)
    )
    return VertexEvalJudge(client, f"projects/{project}/locations/{gcp.location}")
