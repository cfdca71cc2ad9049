import { Alert, Button, Group, Modal, Stack, Stepper, Text } from '@mantine/core';
import { useState } from 'react';
import type { DirectVpnReviewWire } from '../../../../src/core/wire/direct-vpn.ts';
import { ApiRequestError } from '../../api/client.ts';
import type { ShownCredentials } from './CredentialsDialog.tsx';
import { errorsByField } from './refusals.ts';
import { useCreateDirectVpn } from './use-direct-vpns.ts';
import { BasicsStep, ConnectionStep, DirectionStep, ReviewStep, SubnetsStep } from './wizard-steps.tsx';
import { createRequest, EMPTY_WIZARD, stepOfField, WIZARD_STEPS, type WizardValues } from './wizard-model.ts';

export type WizardFeedback = { errors: Record<string, string>; review: DirectVpnReviewWire | null };

/**
 * SPEC D3: direction → basics → connection details → plant subnets → review → apply.
 * Leaving a step asks the server for a dry run, so its own validation (the whitelist
 * parser, D4 subnet rules) answers inline, on the step and field it is about.
 */
export function AddDirectVpnWizard({
  plantId,
  plantName,
  onClose,
  onCreated,
}: {
  plantId: string;
  plantName: string;
  onClose: () => void;
  onCreated: (credentials: ShownCredentials | null) => void;
}) {
  const [step, setStep] = useState(0);
  const [values, setValues] = useState<WizardValues>(EMPTY_WIZARD);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [review, setReview] = useState<DirectVpnReviewWire | null>(null);
  const create = useCreateDirectVpn(plantId);
  const change = (patch: Partial<WizardValues>) => {
    setValues((v) => ({ ...v, ...patch }));
    const cleared = Object.keys(patch);
    setErrors((e) =>
      Object.fromEntries(Object.entries(e).filter(([field]) => !cleared.some((c) => field === c || field.startsWith(`${c}[`) || field.startsWith(`${c}.`)))),
    );
    setFormError(null);
  };

  /** A refusal: onto its field and step when that step is this one or before; later steps' refusals wait for their step. */
  const refused = (error: unknown, from: number): boolean => {
    if (!(error instanceof ApiRequestError)) {
      setFormError(error instanceof Error ? error.message : String(error));
      return true;
    }
    const fields = errorsByField(error.problems, { field: error.field, message: error.message });
    const first = Math.min(...(Object.keys(fields).length ? Object.keys(fields).map(stepOfField) : [stepOfField(undefined)]));
    if (first > from && first < WIZARD_STEPS.length - 1) {
      // Leaving the upload: what the server says about its ranges (e.g. only a default route, stripped) is the subnet step's first line.
      setErrors(from >= 2 && first === from + 1 ? fields : {});
      return false;
    }
    setErrors(fields);
    if (!Object.keys(fields).length || first === WIZARD_STEPS.length - 1 || error.status === 501) setFormError(error.message);
    setStep(Math.min(first, from));
    return true;
  };

  const next = async () => {
    setFormError(null);
    if (step === 0) return setStep(1);
    if (step === 1 && !values.name.trim()) return setErrors({ name: 'is required' });
    const withSubnets = step >= 3;
    try {
      const answer = await create.mutateAsync(createRequest(values, { dryRun: true, withSubnets }));
      setReview(answer.review);
      if (step === 2 && values.direction === 'outgoing' && values.subnets.every((s) => !s.trim()) && answer.review.subnetsFromConfig.length) {
        setValues((v) => ({ ...v, subnets: [...answer.review.subnetsFromConfig] }));
      }
      setErrors({});
      setStep(step + 1);
    } catch (error) {
      if (!refused(error, step)) {
        setReview(null);
        setStep(step + 1);
      }
    }
  };

  const apply = async () => {
    setFormError(null);
    try {
      const answer = await create.mutateAsync(createRequest(values, { dryRun: false, withSubnets: true }));
      onCreated(answer.credentials ?? null);
    } catch (error) {
      refused(error, WIZARD_STEPS.length - 1);
    }
  };

  const last = step === WIZARD_STEPS.length - 1;
  return (
    <Modal
      opened
      onClose={onClose}
      title={`Add a direct VPN to ${plantName}`}
      size="xl"
      closeOnClickOutside={false}
      centered
      closeButtonProps={{ 'aria-label': 'Cancel' }}
    >
      <Stack>
        <Stepper active={step} onStepClick={(s) => s < step && setStep(s)} size="sm" allowNextStepsSelect={false} wrap>
          {WIZARD_STEPS.map((label) => (
            <Stepper.Step key={label} label={label} />
          ))}
        </Stepper>
        <div data-testid="wizard-step" data-step={WIZARD_STEPS[step]}>
          {step === 0 && <DirectionStep values={values} change={change} errors={errors} />}
          {step === 1 && <BasicsStep values={values} change={change} errors={errors} />}
          {step === 2 && <ConnectionStep values={values} change={change} errors={errors} />}
          {step === 3 && <SubnetsStep values={values} change={change} errors={errors} review={review} />}
          {step === 4 && review && <ReviewStep values={values} change={change} errors={errors} review={review} />}
        </div>
        {formError && (
          <Alert color="red" variant="outline" role="alert" title="Not created">
            {formError}
          </Alert>
        )}
        <Group justify="space-between">
          <Button variant="default" onClick={step === 0 ? onClose : () => setStep(step - 1)}>
            {step === 0 ? 'Cancel' : 'Back'}
          </Button>
          {last ? (
            <Button onClick={apply} loading={create.isPending}>
              Apply
            </Button>
          ) : (
            <Button onClick={next} loading={create.isPending}>
              Next
            </Button>
          )}
        </Group>
        <Text size="xs">Nothing is created before Apply: each step is checked by the server without changing anything.</Text>
      </Stack>
    </Modal>
  );
}
