// The "Kernels on a photo" example as a scene: the first sample photo, or a drawn picture when
// the photos can't be fetched (the offline file ships none), with a note saying so.
import { PS } from './strings';
import { drawnPicture, photoScene, samplePhotoInput, SAMPLE_PHOTOS } from './photos';

export async function loadPhotoExample(): Promise<{ json: string; notice?: string }> {
  try {
    const input = await samplePhotoInput(SAMPLE_PHOTOS[0]);
    return { json: photoScene(input, PS.photoTitle, PS.photoDescription) };
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    return { json: photoScene(drawnPicture(), PS.photoTitle, PS.photoDescription), notice: PS.photoUnavailable(why) };
  }
}
